// The per-trial state machine (see connection.hpp). Order matters when the server answers
// and hangs up in one go: bytes are handed to OpenSSL before the EOF or reset is judged,
// so "alert, then FIN" is recorded as the alert (ssl_failed_handshake, unrecognized_name)
// and only a bare FIN before the handshake finished is eof_error. A ClientHello write is
// counted in kernel data segments (TCP_INFO), not in write() calls: a 1700-byte hello is
// one write but two segments on a 1460-byte MSS path, and that is what a DPI box sees.
#include "probe/connection.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

#include <fmt/format.h>

#include "forge/server_reply.hpp"
#include "probe/hello_shaping.hpp"
#include "probe/http_response.hpp"
#include "probe/server_first_record.hpp"
#include "util/clock.hpp"

namespace sniprobe {
namespace {

constexpr size_t k_max_http_bytes = 64 * 1024;

TlsProfile profile_for(Variant v) {
    if (v == Variant::full_verify) return TlsProfile::verify;
    return TlsProfile::handshake;
}

// The IANA name of a TLS 1.3 suite, or the code in hex ("0xc02f") for the others, into
// `out` (assigned, so a reused string keeps its buffer).
void put_cipher_suite(uint16_t code, std::string& out) {
    switch (code) {
        case 0x1301:
            out.assign("TLS_AES_128_GCM_SHA256");
            return;
        case 0x1302:
            out.assign("TLS_AES_256_GCM_SHA384");
            return;
        case 0x1303:
            out.assign("TLS_CHACHA20_POLY1305_SHA256");
            return;
        default:
            break;
    }
    char hex[8];
    auto end = fmt::format_to_n(hex, sizeof hex, "0x{:04x}", code).out;
    out.assign(hex, end);
}

// Clears a trial for reuse: every field back to its default, the strings emptied but
// keeping their buffers (a slot's next trial then writes its names without allocating).
void reset_keeping_capacity(Trial& t) {
    std::string version = std::move(t.tls_version), cipher = std::move(t.cipher_suite);
    std::string alpn = std::move(t.alpn), alert = std::move(t.alert_received);
    t = Trial{};
    version.clear();
    cipher.clear();
    alpn.clear();
    alert.clear();
    t.tls_version = std::move(version);
    t.cipher_suite = std::move(cipher);
    t.alpn = std::move(alpn);
    t.alert_received = std::move(alert);
}

HelloShape shape_for(Variant v) {
    if (v == Variant::sni_split_tcp || v == Variant::control_split_tcp)
        return HelloShape::split_tcp;
    if (v == Variant::sni_split_record) return HelloShape::split_record;
    return HelloShape::whole;
}

}  // namespace

Connection::Connection(PlannedTrial&& plan, Trial& trial, const TlsContexts& contexts,
                       double run_start_unix, int timeout_ms, int mss, HandshakeDepth depth,
                       std::optional<forge::Shape> hello_shape, bool bind_early,
                       bool count_hello_segments)
    : m_trial(trial),
      m_contexts(contexts),
      m_run_start_unix(run_start_unix),
      m_mss(mss),
      m_bind_early(bind_early),
      m_count_hello_segments(count_hello_segments) {
    if (plan.variant == Variant::sni_mss && (m_mss == 0 || m_mss > k_clamped_mss))
        m_mss = k_clamped_mss;
    m_stop_at_server_hello = depth == HandshakeDepth::server_hello &&
                             plan.variant != Variant::full_verify && !is_http_variant(plan.variant);
    const bool plain = plan.variant == Variant::sni || plan.variant == Variant::sni_mss ||
                       plan.variant == Variant::no_sni || plan.variant == Variant::control_sni ||
                       plan.variant == Variant::sni_case;
    if (m_stop_at_server_hello && plain) m_hello_shape = hello_shape;
    reset_keeping_capacity(m_trial);
    m_trial.id = plan.id;
    m_trial.variant = plan.variant;
    m_trial.address = std::move(plan.address);
    m_trial.port = plan.port;
    m_trial.server_name = std::move(plan.server_name);
    m_started_mono = monotonic_seconds();
    m_deadline = m_started_mono + timeout_ms / 1000.0;
    m_trial.t0 = realtime_seconds() - m_run_start_unix;
}

Connection::~Connection() = default;

double Connection::elapsed_ms() const {
    return (monotonic_seconds() - m_started_mono) * 1000.0;
}

FailedOperation Connection::current_operation() const {
    if (m_state == State::idle || m_state == State::connecting) return FailedOperation::connect;
    return is_http_variant(m_trial.variant) ? FailedOperation::http_round_trip
                                            : FailedOperation::tls_handshake;
}

void Connection::open() {
    // A forged hello is the trial's only write: no TCP_NODELAY needed (socket_ops.hpp).
    const bool forged = m_hello_shape || ForgedHellos::forges(m_trial.variant);
    auto socket = open_probe_socket(m_trial.address, m_mss, m_bind_early, !forged);
    if (!socket) {
        fail("unknown_failure: " + socket.error().message);
        return;
    }
    m_socket = std::move(*socket);
    m_trial.local_port = m_socket.local_port;
}

void Connection::connect() {
    if (m_state == State::done) return;
    int err = start_connect(m_socket.fd.get(), m_trial.address, m_trial.port);
    if (err == 0) {
        on_connected();
    } else if (err == EINPROGRESS) {
        m_state = State::connecting;
    } else {
        fail(failure_from_errno(err), err);
    }
}

void Connection::on_events(uint32_t events) {
    if (m_state == State::connecting) {
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
        // Writable without an error or hang-up: connected (no SO_ERROR round trip).
        if (events & (EPOLLERR | EPOLLHUP)) {
            int err = socket_error(m_socket.fd.get());
            if (err == 0) err = ECONNRESET;  // hung up with no error recorded
            fail(failure_from_errno(err), err);
            return;
        }
        on_connected();
        // An answer may already be queued (edge-triggered: read it now or never hear of it).
        if (m_state == State::exchanging && (events & (EPOLLIN | EPOLLRDHUP)))
            read_available(events);
        return;
    }
    if (m_state != State::exchanging) return;
    if (events & EPOLLOUT) flush();
    if (m_state == State::exchanging && (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
        read_available(events);
}

void Connection::on_deadline() {
    if (m_state == State::done) return;
    if (is_http_variant(m_trial.variant) && parse_http_response(m_http_bytes).status) {
        succeed();  // the server answered but kept the connection open
        return;
    }
    fail("generic_timeout_error");
}

void Connection::on_connected() {
    m_state = State::exchanging;
    m_trial.connect_ms = elapsed_ms();
    if (is_http_variant(m_trial.variant)) {
        std::string request = http_request_for(m_trial.server_name);
        m_outbox.emplace_back(request.begin(), request.end());
        flush();
        return;
    }
    start_tls();
}

void Connection::start_tls() {
    if (ForgedHellos::forges(m_trial.variant) || m_hello_shape) {
        start_forged();
        return;
    }
    m_tls = std::make_unique<TlsSession>(m_contexts, profile_for(m_trial.variant),
                                         m_trial.server_name, m_trial.address);
    if (m_tls->advance() == HandshakeStatus::failed) {
        fail("ssl_failed_handshake");
        return;
    }
    std::vector<uint8_t> hello = m_tls->take_output();
    m_trial.client_hello_bytes = hello.size();
    ShapedHello shaped = shape_client_hello(hello, shape_for(m_trial.variant));
    m_hello_writes_pending = static_cast<int>(shaped.writes.size());
    m_trial.client_hello_segments = m_hello_writes_pending;   // refined from TCP_INFO when sent
    if (m_count_hello_segments) m_segments_before_hello = 0;  // the hello is the first data
    for (auto& w : shaped.writes) m_outbox.push_back(std::move(w));
    flush();
}

void Connection::flush() {
    while (!m_outbox.empty() && m_state == State::exchanging) {
        auto& front = m_outbox.front();
        ssize_t n = ::send(m_socket.fd.get(), front.data() + m_front_offset,
                           front.size() - m_front_offset, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            int err = errno;
            fail(failure_from_errno(err), err);
            return;
        }
        m_front_offset += static_cast<size_t>(n);
        if (m_front_offset < front.size()) continue;
        m_outbox.erase(m_outbox.begin());
        m_front_offset = 0;
        if (m_hello_writes_pending > 0 && --m_hello_writes_pending == 0) hello_written();
    }
}

// The last hello byte left: when, and in how many data segments (TCP_INFO).
void Connection::hello_written() {
    m_trial.hello_sent_ms = elapsed_ms();
    if (!m_segments_before_hello) return;
    auto after = data_segments_sent(m_socket.fd.get());
    if (after && *after > *m_segments_before_hello)
        m_trial.client_hello_segments = static_cast<int>(*after - *m_segments_before_hello);
}

// Reads until the socket is drained (edge-triggered): EAGAIN, EOF, an error, or a short
// read when no hang-up was signalled (more data then brings a new edge). A first flight
// that a stop-at-ServerHello probe is waiting for is judged as it comes in, so a probe
// whose answer arrives in one read ends after that one recv().
void Connection::read_available(uint32_t events) {
    uint8_t buf[16384];
    int read_error = 0;
    const bool hang_up = (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    while (m_state == State::exchanging) {
        ssize_t n = ::recv(m_socket.fd.get(), buf, sizeof buf, 0);
        if (n > 0) {
            if (!m_trial.first_byte_ms) m_trial.first_byte_ms = elapsed_ms();
            const std::span<const uint8_t> got{buf, static_cast<size_t>(n)};
            if ((m_tls || m_forged) && m_stop_at_server_hello) {
                on_first_flight_bytes(got);
            } else if (m_tls) {
                m_tls->feed(got);
            } else if (m_http_bytes.size() < k_max_http_bytes) {
                m_http_bytes.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
            }
            if (static_cast<size_t>(n) < sizeof buf && !hang_up) break;
            if (!m_tls && !m_forged && m_http_bytes.size() >= k_max_http_bytes) break;
            continue;
        }
        if (n == 0) {
            m_eof = true;
            break;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) read_error = errno;
        break;
    }
    if (m_state == State::done) return;
    // A first flight that a probe stops at was judged as it came in.
    if (m_tls && !m_stop_at_server_hello) {
        advance_tls();
    } else if (!m_tls && !m_forged) {
        on_http_bytes(m_eof || read_error != 0);
    }
    if (m_state == State::done) return;
    if (read_error != 0) {
        fail(failure_from_errno(read_error), read_error);
    } else if (m_eof) {
        fail("eof_error");
    }
}

void Connection::advance_tls() {
    HandshakeStatus status = m_tls->advance();
    std::vector<uint8_t> out = m_tls->take_output();
    if (status == HandshakeStatus::done && m_outbox.empty()) {
        succeed(std::move(out));  // the Finished leaves with the close_notify, in one write
        return;
    }
    if (!out.empty()) {
        m_outbox.push_back(std::move(out));
        flush();
    }
    if (m_state == State::done) return;
    if (status == HandshakeStatus::done) {
        succeed();
    } else if (status == HandshakeStatus::failed) {
        fail("ssl_failed_handshake");
    }
}

// Bytes of the server's first flight for a probe that stops there: judged straight from
// the read buffer when nothing is held back (no copy), else appended to what is.
void Connection::on_first_flight_bytes(std::span<const uint8_t> bytes) {
    const bool held = !m_first_record_bytes.empty();
    if (held) m_first_record_bytes.insert(m_first_record_bytes.end(), bytes.begin(), bytes.end());
    const std::span<const uint8_t> all =
        held ? std::span<const uint8_t>(m_first_record_bytes) : bytes;
    const bool waiting = m_forged ? read_forged_reply(all) : read_first_record(all);
    if (!waiting) {
        m_first_record_bytes.clear();
    } else if (!held) {
        m_first_record_bytes.assign(bytes.begin(), bytes.end());
    }
}

// ClientHello-only probes: a whole ServerHello record ends the trial as a success; an
// alert or anything unexpected goes to OpenSSL, which judges it as in a full handshake.
// True while more bytes are needed.
bool Connection::read_first_record(std::span<const uint8_t> bytes) {
    constexpr size_t k_max_record_bytes = 5 + 16384 + 2048;
    ServerFirstRecord first = read_server_first_record(bytes);
    if (first.kind == ServerFirstRecord::Kind::incomplete && bytes.size() <= k_max_record_bytes)
        return true;
    if (first.kind == ServerFirstRecord::Kind::server_hello) {
        m_trial.server_hello_seen = true;
        m_trial.tls_version = first.tls_version;
        if (first.cipher_suite != 0)
            m_trial.cipher_suite = m_tls->cipher_standard_name(first.cipher_suite);
        m_trial.failure = {};
        m_trial.failed_operation = FailedOperation::none;
        finish();
        return false;
    }
    m_stop_at_server_hello = false;
    m_tls->feed(bytes);
    advance_tls();
    return false;
}

// Forged hellos: one write of the whole hello (the kernel cuts it into MSS-sized segments,
// as a browser's does), no SSL object.
void Connection::start_forged() {
    auto hello = m_hello_shape
                     ? m_contexts.forged().forge_shape(*m_hello_shape, m_trial.server_name)
                     : m_contexts.forged().forge(m_trial.variant, m_trial.server_name);
    if (!hello) {
        fail("unknown_failure: cannot forge the ClientHello");
        return;
    }
    m_forged = true;
    m_stop_at_server_hello = true;
    m_trial.client_hello_bytes = hello->bytes.size();
    m_trial.client_hello_segments = 1;                        // refined from TCP_INFO when sent
    if (m_count_hello_segments) m_segments_before_hello = 0;  // the hello is the first data
    // Straight from the template's buffer; only what the kernel did not take is copied
    // (the buffer is rewritten by the next probe's forge()).
    std::span<const uint8_t> bytes = hello->bytes;
    while (true) {
        ssize_t n = ::send(m_socket.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            int err = errno;
            fail(failure_from_errno(err), err);
            return;
        }
        if (n > 0) bytes = bytes.subspan(static_cast<size_t>(n));
        break;
    }
    if (bytes.empty()) {
        hello_written();
        return;
    }
    m_hello_writes_pending = 1;
    m_outbox.emplace_back(bytes.begin(), bytes.end());
}

// The reply to a forged hello: a ServerHello or HelloRetryRequest is a success (the hello
// got through and the server answered it), an alert or garbage a failed handshake.
// True while more bytes are needed.
bool Connection::read_forged_reply(std::span<const uint8_t> bytes) {
    forge::ServerReply reply = forge::parse_server_reply(bytes);
    switch (reply.kind) {
        case forge::ReplyKind::incomplete:
            return true;
        case forge::ReplyKind::server_hello:
        case forge::ReplyKind::hello_retry_request:
            m_trial.server_hello_seen = true;
            m_trial.tls_version = tls_version_name(reply.version());
            put_cipher_suite(reply.cipher_suite, m_trial.cipher_suite);
            m_trial.failure = {};
            m_trial.failed_operation = FailedOperation::none;
            finish();
            return false;
        case forge::ReplyKind::alert:
            m_trial.alert_received = alert_name(reply.alert_description);
            fail("ssl_failed_handshake");
            return false;
        case forge::ReplyKind::anomaly:
            fail("ssl_failed_handshake");
            return false;
    }
    return false;
}

void Connection::on_http_bytes(bool closed) {
    HttpFacts facts = parse_http_response(m_http_bytes);
    bool enough = facts.title_complete || m_http_bytes.size() >= k_max_http_bytes;
    if (enough || (closed && facts.status)) {
        succeed();
    } else if (closed && !m_http_bytes.empty() && !facts.status) {
        fail("unknown_failure: not an HTTP response");
    }
}

// last_flight: the client's last handshake flight (its Finished), not yet sent: it goes
// out in the same write as the close_notify (one system call, one segment fewer). A
// write that fails fails the trial as flush() would (the close_notify alone is best
// effort); what the kernel did not take is dropped, as the RST close drops it anyway.
void Connection::succeed(std::vector<uint8_t> last_flight) {
    if (m_tls) {
        m_trial.server_hello_seen = m_tls->server_hello_seen();
        m_tls->record_negotiated(m_trial);
        std::string failure;
        const bool flight = !last_flight.empty();
        if (m_trial.variant == Variant::full_verify) {
            CertificateCheck check = m_tls->check_certificate();
            failure = failure_for_certificate(check);
            m_trial.certificate = std::move(check);
        }
        if (failure.empty()) {
            // A polite close_notify, best effort: no waiting.
            m_tls->shutdown();
            std::vector<uint8_t> bye = m_tls->take_output();
            last_flight.insert(last_flight.end(), bye.begin(), bye.end());
        }
        if (!last_flight.empty()) {
            ssize_t n;
            do {
                n = ::send(m_socket.fd.get(), last_flight.data(), last_flight.size(),
                           MSG_NOSIGNAL | MSG_DONTWAIT);
            } while (n < 0 && errno == EINTR);
            if (flight && n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                int err = errno;
                fail(failure_from_errno(err), err);
                return;
            }
        }
        if (!failure.empty()) {
            fail(failure);
            return;
        }
    } else {
        HttpFacts facts = parse_http_response(m_http_bytes);
        m_trial.http_status = facts.status;
        m_trial.http_server_header = facts.server;
        m_trial.http_title = facts.title;
    }
    m_trial.failure = {};
    m_trial.failed_operation = FailedOperation::none;
    finish();
}

void Connection::fail(const std::string& failure, int /*err_or_zero*/) {
    if (m_state == State::done) return;
    m_trial.failed_operation = current_operation();
    m_trial.failure = Failure::from_text(failure);
    m_trial.failure_ms = elapsed_ms();
    if (m_tls) {
        m_trial.server_hello_seen = m_tls->server_hello_seen();
        m_trial.alert_received = m_tls->alert_received();
    }
    if (!m_http_bytes.empty()) {
        HttpFacts facts = parse_http_response(m_http_bytes);
        m_trial.http_status = facts.status;
        m_trial.http_server_header = facts.server;
        m_trial.http_title = facts.title;
    }
    finish();
}

void Connection::finish() {
    m_state = State::done;
    m_trial.t = m_trial.t0 + elapsed_ms() / 1000.0;
    m_socket.fd.reset();  // SO_LINGER {1,0}: RST, no TIME_WAIT
    m_outbox.clear();
}

}  // namespace sniprobe
