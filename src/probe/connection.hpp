// One trial's connection as an explicit state machine (h2load style): connecting ->
// exchanging (TLS handshake or HTTP round trip) -> done. The engine owns the event loop
// and calls in with readiness events and deadlines; the connection never blocks, never
// sleeps, and turns whatever the network does into the Trial's observation fields.
// The hot path of a forged-hello probe allocates nothing: the Trial is the engine's
// (reused per slot, so its strings keep their capacity), the hello is sent straight from
// the template's buffer in one send(), and the server's first flight is judged in the
// read buffer; only a partial send or a reply split across reads is copied aside.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/trial.hpp"
#include "probe/plan.hpp"
#include "probe/socket_ops.hpp"
#include "probe/tls_session.hpp"

namespace sniprobe {

class Connection {
  public:
    // Fills `trial` (the caller's, reset here; its strings' capacity is reused) from the
    // plan, whose strings are moved in. run_start_unix: the run's CLOCK_REALTIME origin for
    // Trial::t0/t. depth server_hello stops a handshake variant (not full_verify) at the
    // server's first record. bind_early: bind before connect, so the local port is known
    // before the SYN (capture needs it; a scan does not, and connect() picks one cheaper).
    Connection(PlannedTrial&& plan, Trial& trial, const TlsContexts& contexts,
               double run_start_unix, int timeout_ms, int mss,
               HandshakeDepth depth = HandshakeDepth::complete,
               std::optional<forge::Shape> hello_shape = std::nullopt, bool bind_early = true,
               bool count_hello_segments = true);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Opens and binds the socket (the local port is known afterwards); may finish the trial.
    void open();
    // Starts the TCP handshake; may finish the trial (immediate refusal).
    void connect();
    // Handles epoll readiness bits. The socket is registered edge-triggered, once, for
    // k_events: every handler drains what it can (reads until a short read or EAGAIN).
    void on_events(uint32_t events);
    static constexpr uint32_t k_events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    // The per-trial deadline passed: records a timeout for the current operation.
    void on_deadline();

    bool finished() const { return m_state == State::done; }
    int fd() const { return m_socket.fd.get(); }
    // CLOCK_MONOTONIC seconds at which on_deadline is due.
    double deadline() const { return m_deadline; }
    Trial& trial() { return m_trial; }

  private:
    enum class State { idle, connecting, exchanging, done };
    void on_connected();
    void start_tls();
    void flush();
    void read_available(uint32_t events);
    void advance_tls();
    void on_first_flight_bytes(std::span<const uint8_t> bytes);
    bool read_first_record(std::span<const uint8_t> bytes);
    void start_forged();
    bool read_forged_reply(std::span<const uint8_t> bytes);
    void hello_written();
    void on_http_bytes(bool eof);
    void succeed(std::vector<uint8_t> last_flight = {});
    void fail(const std::string& failure, int err_or_zero = 0);
    void finish();
    double elapsed_ms() const;
    FailedOperation current_operation() const;

    Trial& m_trial;
    const TlsContexts& m_contexts;
    double m_run_start_unix;
    int m_mss = 0;
    double m_started_mono = 0;
    double m_deadline = 0;
    State m_state = State::idle;
    bool m_bind_early = true;
    bool m_count_hello_segments = true;  // read TCP_INFO after the hello (else 1 per write)
    ProbeSocket m_socket;
    std::unique_ptr<TlsSession> m_tls;
    std::vector<std::vector<uint8_t>> m_outbox;  // writes still to send, front first
    size_t m_front_offset = 0;
    int m_hello_writes_pending = 0;
    std::optional<uint32_t> m_segments_before_hello;  // nullopt: unknown, do not refine
    std::string m_http_bytes;
    bool m_eof = false;
    bool m_stop_at_server_hello = false;
    std::optional<forge::Shape> m_hello_shape;  // forge plain variants' hellos in this shape
    bool m_forged = false;  // the hello came from forge/: no TlsSession, stop at the reply
    std::vector<uint8_t> m_first_record_bytes;  // a first flight split across reads, so far
};

}  // namespace sniprobe
