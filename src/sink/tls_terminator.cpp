// The sink's TLS listener (see tls_terminator.hpp), an explicit state machine per
// connection in the manner of h2load: fresh (peek the first bytes: a TLS handshake
// record starts with 0x16, anything else is named and closed without waking OpenSSL)
// -> handshake (SSL_accept until it completes or fails) -> request (read up to one
// HTTP head) -> answer (a tiny 200 and close_notify). OpenSSL's WANT_READ/WANT_WRITE
// pick the epoll interest; the servername callback keeps the SNI the server saw, even
// when the handshake then fails. The outcome is noted in the connection table exactly
// once per connection, keyed by the same 4-tuple the capture uses.
#include "sink/tls_terminator.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "sink/connection_table.hpp"
#include "sink/listen_socket.hpp"
#include "util/clock.hpp"
#include "util/fd.hpp"
#include "util/openssl_ptr.hpp"

namespace sniprobe::sink {

namespace {

constexpr int k_max_accepts_per_step = 256;
constexpr size_t k_max_request_bytes = 8192;
constexpr size_t k_max_server_name = 255;
const char k_answer[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 37\r\n"
    "Connection: close\r\n\r\nsniprobe sink: TLS handshake complete\n";

enum class Phase { fresh, handshake, request, answer };

struct Conn {
    Fd fd;
    UniqueSsl ssl;
    TlsNote note;
    Phase phase = Phase::fresh;
    double deadline_s = 0;  // monotonic
    size_t request_bytes = 0;
    std::string request_tail;  // last bytes read, to find the end of the head
    bool noted = false;
};

// The SNI as the server saw it, kept printable and bounded.
int on_servername(SSL* ssl, int* /*alert*/, void* /*arg*/) {
    auto* c = static_cast<Conn*>(SSL_get_app_data(ssl));
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (c != nullptr && name != nullptr) {
        std::string clean;
        for (const char* p = name; *p != '\0' && clean.size() < k_max_server_name; ++p)
            clean.push_back(*p > 0x20 && *p < 0x7f ? *p : '?');
        c->note.server_name = std::move(clean);
    }
    return SSL_TLSEXT_ERR_OK;
}

// OpenSSL's most recent reason, and the queue cleared.
std::string openssl_reason() {
    unsigned long e = ERR_peek_last_error();
    const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
    std::string out = reason ? reason : (e != 0 ? fmt::format("error {:#x}", e) : "");
    ERR_clear_error();
    return out;
}

bool looks_like_http(const char* bytes, size_t n) {
    if (n < 3) return false;
    for (size_t i = 0; i < 3; ++i)
        if (bytes[i] < 'A' || bytes[i] > 'Z') return false;
    return true;
}

}  // namespace

struct TlsTerminator::Impl {
    TlsOptions options;
    UniqueSslCtx ctx;
    Fd listener, epoll;
    std::unordered_map<int, std::unique_ptr<Conn>> conns;
    TlsCounters counters;
    std::function<void(const std::string&)> log = [](const std::string&) {};
    ConnectionTable* table = nullptr;  // valid during step()
    double now_unix = 0;

    void watch(int fd, uint32_t events, int op) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        ::epoll_ctl(epoll.get(), op, fd, &ev);
    }
    void close(Conn& c) {
        int fd = c.fd.get();
        ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
        conns.erase(fd);  // c is gone
    }
    void note(Conn& c, std::string anomaly, std::string error = {}) {
        if (c.noted) return;
        c.noted = true;
        c.note.completed = anomaly.empty();
        c.note.anomaly = std::move(anomaly);
        c.note.error = std::move(error);
        if (c.note.completed) {
            ++counters.completed;
            c.note.version = SSL_get_version(c.ssl.get());
        } else {
            ++counters.failed;
            log(fmt::format("sink: TLS from {}:{}: {}{}{}", c.note.client, c.note.client_port,
                            c.note.anomaly, c.note.error.empty() ? "" : ": ", c.note.error));
        }
        table->note_tls(c.note, now_unix);
    }
    // After an OpenSSL call that did not succeed: true when it only has to wait (the
    // epoll interest follows WANT_READ/WANT_WRITE); otherwise notes why and closes.
    bool wait_or_fail(Conn& c, int rc, const char* phase) {
        int err = SSL_get_error(c.ssl.get(), rc);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            watch(c.fd.get(), err == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT, EPOLL_CTL_MOD);
            ERR_clear_error();
            return true;
        }
        if (c.phase == Phase::handshake) {
            // OpenSSL 3 reports an EOF inside a record as an SSL error of its own.
            if (err == SSL_ERROR_SSL &&
                ERR_GET_REASON(ERR_peek_last_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
                note(c, "closed_during_handshake", openssl_reason());
            else if (err == SSL_ERROR_SSL)
                note(c, "handshake_failed", openssl_reason());
            else if (err == SSL_ERROR_SYSCALL && errno == ECONNRESET)
                note(c, "reset_during_handshake");
            else
                note(c, "closed_during_handshake", openssl_reason());
        } else if (err != SSL_ERROR_ZERO_RETURN) {
            log(fmt::format("sink: TLS from {}:{}: {} failed after the handshake", c.note.client,
                            c.note.client_port, phase));
        }
        ERR_clear_error();
        close(c);
        return false;
    }
    void accept_all();
    void advance(Conn& c);
    void sweep();
};

void TlsTerminator::Impl::accept_all() {
    for (int i = 0; i < k_max_accepts_per_step; ++i) {
        Fd fd(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) return;  // EAGAIN or a transient error: next wakeup
        ++counters.accepted;
        auto c = std::make_unique<Conn>();
        std::tie(c->note.client, c->note.client_port) = socket_address(fd.get(), Side::peer);
        std::tie(c->note.server, c->note.server_port) = socket_address(fd.get(), Side::local);
        if (static_cast<int>(conns.size()) >= options.max_connections) {
            ++counters.refused;
            c->noted = true;
            c->note.anomaly = "over_connection_limit";
            table->note_tls(c->note, now_unix);
            log(fmt::format("sink: refused a TLS connection from {}: {} open", c->note.client,
                            conns.size()));
            continue;  // fd closes here
        }
        c->ssl.reset(SSL_new(ctx.get()));
        if (!c->ssl || SSL_set_fd(c->ssl.get(), fd.get()) != 1) {
            ERR_clear_error();
            continue;
        }
        SSL_set_app_data(c->ssl.get(), c.get());
        SSL_set_accept_state(c->ssl.get());
        c->deadline_s = monotonic_seconds() + options.handshake_timeout_ms / 1000.0;
        int raw = fd.get();
        c->fd = std::move(fd);
        conns.emplace(raw, std::move(c));
        watch(raw, EPOLLIN, EPOLL_CTL_ADD);
    }
}

void TlsTerminator::Impl::advance(Conn& c) {
    if (c.phase == Phase::fresh) {
        char first[8];
        ssize_t n = ::recv(c.fd.get(), first, sizeof first, MSG_PEEK);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n < 0) {
            note(c, errno == ECONNRESET ? "reset_during_handshake" : "closed_during_handshake",
                 std::strerror(errno));
            return close(c);
        }
        if (n == 0) {
            note(c, "closed_during_handshake", "no bytes");
            return close(c);
        }
        if (first[0] != 0x16) {
            note(c, looks_like_http(first, static_cast<size_t>(n)) ? "http_request" : "not_tls",
                 fmt::format("first byte {:#04x}", static_cast<unsigned char>(first[0])));
            return close(c);
        }
        c.phase = Phase::handshake;
    }
    if (c.phase == Phase::handshake) {
        int rc = SSL_accept(c.ssl.get());
        if (rc != 1) {
            wait_or_fail(c, rc, "handshake");
            return;
        }
        note(c, "");
        c.phase = Phase::request;
        c.deadline_s = monotonic_seconds() + options.handshake_timeout_ms / 1000.0;
    }
    if (c.phase == Phase::request) {
        char buf[4096];
        for (;;) {
            int n = SSL_read(c.ssl.get(), buf, sizeof buf);
            if (n <= 0) {
                wait_or_fail(c, n, "reading the request");
                return;
            }
            c.request_bytes += static_cast<size_t>(n);
            c.request_tail.append(buf, static_cast<size_t>(n));
            if (c.request_tail.size() > 8)
                c.request_tail.erase(0, c.request_tail.size() - 8);  // "\r\n\r\n" may straddle
            if (c.request_tail.find("\r\n\r\n") != std::string::npos ||
                c.request_bytes >= k_max_request_bytes)
                break;
        }
        c.phase = Phase::answer;
    }
    if (c.phase == Phase::answer) {
        int rc = SSL_write(c.ssl.get(), k_answer, sizeof k_answer - 1);
        if (rc <= 0) {
            wait_or_fail(c, rc, "answering");
            return;
        }
        (void)SSL_shutdown(c.ssl.get());  // close_notify, best effort: we close next
        ERR_clear_error();
        ::shutdown(c.fd.get(), SHUT_WR);
        close(c);
    }
}

void TlsTerminator::Impl::sweep() {
    const double now = monotonic_seconds();
    std::vector<int> expired;
    for (auto& [fd, c] : conns)
        if (now > c->deadline_s) expired.push_back(fd);
    for (int fd : expired) {
        Conn& c = *conns.at(fd);
        if (c.phase == Phase::fresh || c.phase == Phase::handshake) {
            ++counters.timed_out;
            note(c, "handshake_timeout",
                 fmt::format("no complete handshake within {} ms", options.handshake_timeout_ms));
        }
        close(c);
    }
}

Result<TlsTerminator> TlsTerminator::open(const TlsOptions& options) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->ctx.reset(SSL_CTX_new(TLS_server_method()));
    if (!impl->ctx) return fail("TLS: cannot create a context: " + openssl_reason());
    SSL_CTX* ctx = impl->ctx.get();
    if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1)
        return fail("--cert: cannot load '" + options.cert_file + "': " + openssl_reason());
    if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1 &&
        ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH)
        return fail("--key: cannot load '" + options.key_file + "': " + openssl_reason());
    if (SSL_CTX_check_private_key(ctx) != 1)
        return fail("--key: '" + options.key_file + "' does not match the certificate in '" +
                    options.cert_file + "'");
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_num_tickets(ctx, 0);  // nothing to resume: fewer bytes after the handshake
    SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);

    auto listener = listen_tcp(options.address, options.port, "--tls-port");
    if (!listener) return tl::unexpected(listener.error());
    impl->listener = std::move(*listener);
    impl->epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!impl->epoll) return fail(std::string("epoll: ") + std::strerror(errno));
    impl->watch(impl->listener.get(), EPOLLIN, EPOLL_CTL_ADD);
    return TlsTerminator(std::move(impl));
}

TlsTerminator::TlsTerminator(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TlsTerminator::TlsTerminator(TlsTerminator&&) noexcept = default;
TlsTerminator& TlsTerminator::operator=(TlsTerminator&&) noexcept = default;
TlsTerminator::~TlsTerminator() = default;

int TlsTerminator::fd() const {
    return m_impl->epoll.get();
}

uint16_t TlsTerminator::port() const {
    return bound_port(m_impl->listener.get());
}

void TlsTerminator::set_log(std::function<void(const std::string&)> log) {
    m_impl->log = std::move(log);
}

const TlsCounters& TlsTerminator::counters() const {
    return m_impl->counters;
}

void TlsTerminator::step(ConnectionTable& table, double now_unix) {
    Impl& m = *m_impl;
    m.table = &table;
    m.now_unix = now_unix;
    epoll_event events[64];
    for (int round = 0; round < 4; ++round) {
        int n = ::epoll_wait(m.epoll.get(), events, 64, 0);
        if (n <= 0) break;
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == m.listener.get()) {
                m.accept_all();
                continue;
            }
            auto it = m.conns.find(fd);
            if (it != m.conns.end()) m.advance(*it->second);
        }
        if (n < 64) break;
    }
    m.sweep();
    m.table = nullptr;
}

}  // namespace sniprobe::sink
