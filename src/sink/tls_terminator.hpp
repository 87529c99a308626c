// The sink's own TLS listener (`sniprobe sink --cert C --key K`): it listens on the
// watched TLS port itself and completes real handshakes with OpenSSL, non-blocking, so
// "when nothing interferes the handshake completes" is a fact the sink can state per
// connection. Each connection is a small state machine (handshake -> read a request ->
// answer a tiny HTTP response and close_notify) on its own epoll set, whose descriptor
// the sink's event loop polls. Bounded: connections at once, a deadline per phase, a
// request cap. What a stranger sends that is not TLS becomes a named anomaly in the
// connection's record (not_tls, http_request, handshake_failed, reset_during_handshake,
// closed_during_handshake, handshake_timeout, over_connection_limit), never a crash.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "util/result.hpp"

namespace sniprobe::sink {

class ConnectionTable;

// What the TLS listener serves and how much it accepts.
struct TlsOptions {
    std::string cert_file;            // PEM chain: leaf first
    std::string key_file;             // PEM private key
    std::string address = "0.0.0.0";  // IP literal to listen on
    uint16_t port = 443;              // 0 = any free port (tests)
    int max_connections = 256;        // TLS connections open at once
    int handshake_timeout_ms = 5000;  // per phase: handshake, then the request
};

// What the listener did, for the sink's final log line.
struct TlsCounters {
    uint64_t accepted = 0, completed = 0, failed = 0, timed_out = 0, refused = 0;
};

// The listener and its open connections.
class TlsTerminator {
  public:
    // Loads the certificate and key (checking they match) and binds the port.
    // The process must ignore SIGPIPE (the command line does): OpenSSL writes with write(2).
    static Result<TlsTerminator> open(const TlsOptions& options);

    TlsTerminator(TlsTerminator&&) noexcept;
    TlsTerminator& operator=(TlsTerminator&&) noexcept;
    ~TlsTerminator();

    // A descriptor that is readable when step() has work (an epoll set).
    int fd() const;
    // The bound port (useful with port 0).
    uint16_t port() const;
    // Does all pending work without blocking and expires connections past their
    // deadline; each handshake's outcome (completed or the anomaly) goes into `table`.
    void step(ConnectionTable& table, double now_unix);
    // Where one-line messages go (default: nowhere).
    void set_log(std::function<void(const std::string&)> log);
    const TlsCounters& counters() const;

  private:
    struct Impl;
    explicit TlsTerminator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace sniprobe::sink
