// The lab's nginx.conf, rendered from the PKI and the state directory. Every path nginx
// writes (pid, logs, temp files) lives in the state directory so `lab down` removes it
// all; the error log is at `info`, the level where nginx prints the "peer closed
// connection in SSL handshake" lines of DESIGN.md §6 that `sniprobe logs` reads.
#pragma once

#include <string>

#include "lab/pki.hpp"

namespace sniprobe::lab {

// File names inside the state directory that nginx uses.
inline constexpr const char* k_nginx_conf = "nginx.conf";
inline constexpr const char* k_nginx_error_log = "nginx-error.log";
inline constexpr const char* k_nginx_access_log = "nginx-access.log";
inline constexpr const char* k_nginx_pid = "nginx.pid";

// Renders nginx.conf: port 443 with a default server (default.test) and one server per
// name (ok, blocked, chain, expired, mismatch -> other.test's certificate), port 8443
// with `ssl_reject_handshake on` only (an unrecognized_name alert for every name), and
// port 80 answering 200 for any Host. Fails when a needed leaf is missing from `pki`.
Result<std::string> render_nginx_conf(const std::string& state_dir, const Pki& pki);

}  // namespace sniprobe::lab
