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
// The Unix socket the TLS servers listen on behind a limit_conn stream front.
inline constexpr const char* k_nginx_tls_socket = "nginx-tls.sock";
// Debian's dynamic stream module (libnginx-mod-stream), loaded only for limit_conn.
inline constexpr const char* k_nginx_stream_module = "/usr/lib/nginx/modules/ngx_stream_module.so";

// Renders nginx.conf: port 443 with a default server (default.test) and one server per
// name (ok, blocked, chain, expired, mismatch -> other.test's certificate), port 8443
// with `ssl_reject_handshake on` only (an unrecognized_name alert for every name), and
// port 80 answering 200 for any Host. Fails when a needed leaf is missing from `pki`.
// limit_conn > 0 (a busy server): port 443 is a stream front that allows a client that
// many connections at once and closes the others right after accept, before the
// handshake (nginx's http limit_conn would count only requests, after the handshake);
// the TLS servers then listen on a Unix socket behind it.
Result<std::string> render_nginx_conf(const std::string& state_dir, const Pki& pki,
                                      int limit_conn = 0);

}  // namespace sniprobe::lab
