// One trial's connection as an explicit state machine (h2load style): connecting ->
// exchanging (TLS handshake or HTTP round trip) -> done. The engine owns the event loop
// and calls in with readiness events and deadlines; the connection never blocks, never
// sleeps, and turns whatever the network does into the Trial's observation fields.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "model/trial.hpp"
#include "probe/plan.hpp"
#include "probe/socket_ops.hpp"
#include "probe/tls_session.hpp"

namespace sniprobe {

class Connection {
  public:
    // run_start_unix: the run's CLOCK_REALTIME origin for Trial::t0/t. depth server_hello
    // stops a handshake variant (not full_verify) at the server's first record.
    Connection(const PlannedTrial& plan, const TlsContexts& contexts, double run_start_unix,
               int timeout_ms, int mss, HandshakeDepth depth = HandshakeDepth::complete,
               std::optional<forge::Shape> hello_shape = std::nullopt);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Opens and binds the socket (the local port is known afterwards); may finish the trial.
    void open();
    // Starts the TCP handshake; may finish the trial (immediate refusal).
    void connect();
    // Handles epoll readiness bits.
    void on_events(uint32_t events);
    // The per-trial deadline passed: records a timeout for the current operation.
    void on_deadline();

    bool finished() const { return m_state == State::done; }
    int fd() const { return m_socket.fd.get(); }
    // The epoll events this connection waits for now.
    uint32_t wanted_events() const;
    // CLOCK_MONOTONIC seconds at which on_deadline is due.
    double deadline() const { return m_deadline; }
    Trial& trial() { return m_trial; }

  private:
    enum class State { idle, connecting, exchanging, done };
    void on_connected();
    void start_tls();
    void flush();
    void read_available();
    void advance_tls();
    void read_first_record();
    void start_forged();
    void read_forged_reply();
    void on_http_bytes(bool eof);
    void succeed();
    void fail(std::string failure, int err_or_zero = 0);
    void finish();
    double elapsed_ms() const;
    FailedOperation current_operation() const;

    PlannedTrial m_plan;
    const TlsContexts& m_contexts;
    double m_run_start_unix;
    int m_mss = 0;
    double m_started_mono = 0;
    double m_deadline = 0;
    State m_state = State::idle;
    ProbeSocket m_socket;
    Trial m_trial;
    std::unique_ptr<TlsSession> m_tls;
    std::deque<std::vector<uint8_t>> m_outbox;
    size_t m_front_offset = 0;
    int m_hello_writes_pending = 0;
    std::optional<uint32_t> m_segments_before_hello;
    std::string m_http_bytes;
    bool m_eof = false;
    bool m_stop_at_server_hello = false;
    std::optional<forge::Shape> m_hello_shape;  // forge plain variants' hellos in this shape
    bool m_forged = false;  // the hello came from forge/: no TlsSession, stop at the reply
    std::vector<uint8_t> m_first_record_bytes;  // server bytes held back from OpenSSL
};

}  // namespace sniprobe
