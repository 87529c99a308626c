// `sniprobe sink`'s long-running part: one event loop that captures what arrives on the
// watched ports into the connection table and answers authenticated queries about it on
// a small HTTP/1.1 port. Everything a peer can send is bounded — request size, time to
// send it, connections at once, requests per second per address — and every refusal is
// one log line on stderr (throttled, so a flood cannot flood the log). SIGTERM/SIGINT
// end the loop cleanly: sockets and the capture are closed, counters are logged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace sniprobe::sink {

// What `sniprobe sink` was asked to do.
struct SinkOptions {
    std::string listen_address = "127.0.0.1";  // IP literal to serve queries on
    uint16_t listen_port = 9443;
    std::string token;                       // the shared secret (from --token-file)
    std::vector<uint16_t> watch_ports{443};  // the real server's ports to record
    std::string interface = "any";           // capture interface
    size_t capacity = 10000;                 // connections remembered (ring)
    int max_clients = 64;                    // query connections open at once
    int read_timeout_ms = 5000;              // to send a whole request head
    double requests_per_s = 10;              // per client address, steady
    double request_burst = 20;               // per client address, burst
    // TLS termination (tls_terminator.hpp): off unless a certificate is given.
    std::string tls_cert_file;            // PEM chain ("" = do not terminate TLS)
    std::string tls_key_file;             // PEM key
    std::string tls_address = "0.0.0.0";  // where the TLS port listens
    uint16_t tls_port = 443;              // also added to watch_ports
    int tls_max_connections = 256;        // TLS connections open at once
    int tls_handshake_timeout_ms = 5000;  // per phase
};

// Runs until a stop signal (the caller installs the interrupt handler and ignores SIGPIPE:
// OpenSSL writes with write(2), so a closed peer is EPIPE). Fails when the port cannot be
// bound or capture cannot start.
Result<void> run_sink(const SinkOptions& options);

// Reads a token file: its first line, surrounding whitespace removed; fails when the
// file is unreadable or the token is shorter than 16 characters.
Result<std::string> read_token_file(const std::string& path);

}  // namespace sniprobe::sink
