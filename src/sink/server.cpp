// The sink's event loop (see server.hpp): epoll over the listening socket, the pcap
// descriptor, the interrupt descriptor and the query connections. Each connection
// reads one request head (bounded), gets one response and is closed (Connection:
// close), so no state survives a request. Over the connection limit a peer gets a
// canned 503 written without blocking and is closed at once: accepting and refusing
// keeps the backlog from filling, which would stall honest clients behind a flood.
#include "sink/server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <unordered_map>

#include "sink/connection_table.hpp"
#include "sink/http_request.hpp"
#include "sink/listen_socket.hpp"
#include "sink/packet_source.hpp"
#include "sink/rate_limit.hpp"
#include "sink/service.hpp"
#include "sink/tls_terminator.hpp"
#include "util/clock.hpp"
#include "util/fd.hpp"
#include "util/interrupt.hpp"
#include "util/sockaddr.hpp"
#include "util/token_bucket.hpp"

namespace sniprobe::sink {

namespace {

constexpr int k_tick_ms = 200;
constexpr int k_max_accepts_per_wakeup = 256;
constexpr size_t k_min_token_chars = 16;

// Log lines, at most k_burst at once and k_rate per second; the rest are counted and
// reported in one line when logging resumes.
class ThrottledLog {
  public:
    void line(const std::string& text, double now_s) {
        if (!m_bucket.try_take(now_s)) {
            ++m_suppressed;
            return;
        }
        if (m_suppressed > 0) {
            fmt::print(stderr, "sink: {} log lines suppressed (too many)\n", m_suppressed);
            m_suppressed = 0;
        }
        fmt::print(stderr, "{}\n", text);
    }

  private:
    static constexpr double k_rate = 20, k_burst = 50;
    TokenBucket m_bucket{k_rate, k_burst, k_burst, 0};
    unsigned long long m_suppressed = 0;
};

struct Client {
    Fd fd;
    std::string peer;
    std::string in;
    std::string out;
    size_t out_offset = 0;
    double deadline_s = 0;  // monotonic
    bool responding = false;
};

struct Counters {
    uint64_t accepted = 0, served = 0, unauthorized = 0, bad_requests = 0, rate_limited = 0,
             busy = 0, timeouts = 0;
};

class Server {
  public:
    Server(const SinkOptions& o, Fd listener, PacketSource source, std::optional<TlsTerminator> tls)
        : m_options(o),
          m_listener(std::move(listener)),
          m_source(std::move(source)),
          m_tls(std::move(tls)),
          m_table(o.capacity, o.watch_ports),
          m_limiter(o.requests_per_s, o.request_burst) {}

    Result<void> run();

  private:
    void add(int fd, uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &ev);
    }
    void accept_all();
    void on_readable(Client& c);
    void on_writable(Client& c);
    void respond(Client& c, const HttpResponse& r);
    void close_client(int fd) {
        ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
        m_clients.erase(fd);
    }
    void sweep_timeouts();
    void log(const std::string& line) { m_log.line(line, monotonic_seconds()); }

    SinkOptions m_options;
    Fd m_listener;
    PacketSource m_source;
    std::optional<TlsTerminator> m_tls;
    Fd m_epoll;
    ConnectionTable m_table;
    RateLimiter m_limiter;
    std::unordered_map<int, Client> m_clients;
    ThrottledLog m_log;
    Counters m_counters;
};

void Server::accept_all() {
    for (int i = 0; i < k_max_accepts_per_wakeup; ++i) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        Fd fd(::accept4(m_listener.get(), reinterpret_cast<sockaddr*>(&ss), &len,
                        SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd)
            return;  // EAGAIN, or a transient error (EMFILE, ECONNABORTED): try again next wakeup
        ++m_counters.accepted;
        std::string peer = address_text(ss);
        if (static_cast<int>(m_clients.size()) >= m_options.max_clients) {
            ++m_counters.busy;
            std::string canned = frame_response(error_response(503, "too many connections"));
            (void)::send(fd.get(), canned.data(), canned.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            log(fmt::format("sink: refused a connection from {}: {} connections open", peer,
                            m_clients.size()));
            continue;  // fd closes here
        }
        int raw = fd.get();
        Client c;
        c.fd = std::move(fd);
        c.peer = std::move(peer);
        c.deadline_s = monotonic_seconds() + m_options.read_timeout_ms / 1000.0;
        m_clients.emplace(raw, std::move(c));
        add(raw, EPOLLIN | EPOLLRDHUP);
    }
}

void Server::respond(Client& c, const HttpResponse& r) {
    if (!r.log_line.empty()) log(r.log_line);
    c.out = frame_response(r);
    c.out_offset = 0;
    c.responding = true;
    ::shutdown(c.fd.get(), SHUT_RD);
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.fd = c.fd.get();
    ::epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
    on_writable(c);
}

void Server::on_readable(Client& c) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, 0);
        if (n > 0) {
            c.in.append(buf, static_cast<size_t>(n));
            if (c.in.size() > k_max_request_bytes) break;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            if (!c.in.empty())
                log(fmt::format("sink: {} closed the connection mid-request ({} bytes)", c.peer,
                                c.in.size()));
            close_client(c.fd.get());
            return;
        }
        if (errno == EAGAIN) break;
    }
    RequestParse parsed = parse_request(c.in);
    if (parsed.state == RequestState::incomplete) return;
    if (parsed.state == RequestState::bad) {
        ++m_counters.bad_requests;
        int status = c.in.size() >= k_max_request_bytes ? 431 : 400;
        respond(c,
                error_response(status, parsed.error,
                               fmt::format("sink: bad request from {}: {}", c.peer, parsed.error)));
        return;
    }
    if (!m_limiter.allow(c.peer, monotonic_seconds())) {
        ++m_counters.rate_limited;
        respond(c, error_response(429, "too many requests",
                                  fmt::format("sink: rate-limited {}", c.peer)));
        return;
    }
    HttpResponse r =
        answer_request(*parsed.request, c.peer, m_table, m_options.token, realtime_seconds());
    if (r.status == 401) ++m_counters.unauthorized;
    if (r.status == 200) ++m_counters.served;
    respond(c, r);
}

void Server::on_writable(Client& c) {
    while (c.out_offset < c.out.size()) {
        ssize_t n = ::send(c.fd.get(), c.out.data() + c.out_offset, c.out.size() - c.out_offset,
                           MSG_NOSIGNAL);
        if (n > 0) {
            c.out_offset += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        break;
    }
    close_client(c.fd.get());
}

void Server::sweep_timeouts() {
    const double now = monotonic_seconds();
    std::vector<int> expired;
    for (auto& [fd, c] : m_clients)
        // Writing a large answer to a slow reader gets the read timeout again, not forever.
        if (now > c.deadline_s + (c.responding ? m_options.read_timeout_ms / 1000.0 : 0))
            expired.push_back(fd);
    for (int fd : expired) {
        Client& c = m_clients.at(fd);
        if (!c.responding) {
            ++m_counters.timeouts;
            log(fmt::format("sink: {} sent no complete request within {} ms", c.peer,
                            m_options.read_timeout_ms));
            std::string canned = frame_response(error_response(408, "request timeout"));
            (void)::send(fd, canned.data(), canned.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        }
        close_client(fd);
    }
}

Result<void> Server::run() {
    m_epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!m_epoll) return fail(std::string("epoll: ") + std::strerror(errno));
    add(m_listener.get(), EPOLLIN);
    add(m_source.fd(), EPOLLIN);
    add(interrupt_fd(), EPOLLIN);
    if (m_tls) {
        add(m_tls->fd(), EPOLLIN);
        m_tls->set_log([this](const std::string& line) { log(line); });
        fmt::print(stderr, "sink: terminating TLS on {}:{}\n", m_options.tls_address,
                   m_tls->port());
    }
    fmt::print(
        stderr,
        "sink ready: queries on {}:{}, capturing '{}' on {}, keeping the last {} connections\n",
        m_options.listen_address, m_options.listen_port, m_source.filter(), m_options.interface,
        m_options.capacity);
    epoll_event events[64];
    while (!interrupted()) {
        int n = ::epoll_wait(m_epoll.get(), events, 64, k_tick_ms);
        if (n < 0 && errno != EINTR)
            return fail(std::string("epoll_wait: ") + std::strerror(errno));
        // Capture first: a query that arrives with the packets it asks about sees them.
        if (!m_source.dispatch(m_table)) return fail("capture failed");
        if (m_tls) m_tls->step(m_table, realtime_seconds());
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == m_listener.get()) {
                accept_all();
                continue;
            }
            auto it = m_clients.find(fd);
            if (it == m_clients.end()) continue;  // the capture or interrupt descriptor
            if (it->second.responding)
                on_writable(it->second);
            else
                on_readable(it->second);
        }
        sweep_timeouts();
    }
    auto src = m_source.counters();
    auto& c = m_counters;
    fmt::print(stderr,
               "sink: stopping: {} connections kept ({} evicted), {} frames ({} malformed, {} "
               "dropped by the kernel); queries: {} served, {} unauthorized, {} bad, {} "
               "rate-limited, {} over the connection limit, {} timed out\n",
               m_table.size(), m_table.counters().evicted, src.frames, src.malformed,
               src.dropped_kernel, c.served, c.unauthorized, c.bad_requests, c.rate_limited, c.busy,
               c.timeouts);
    if (m_tls) {
        const auto& t = m_tls->counters();
        fmt::print(stderr,
                   "sink: TLS: {} accepted, {} handshakes completed, {} failed ({} timed out), {} "
                   "over the connection limit\n",
                   t.accepted, t.completed, t.failed, t.timed_out, t.refused);
    }
    return {};
}

}  // namespace

Result<std::string> read_token_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail("--token-file: cannot read '" + path + "'");
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    line = start == std::string::npos ? std::string{} : line.substr(start);
    if (line.size() < k_min_token_chars)
        return fail(fmt::format(
            "--token-file: the token in '{}' is shorter than {} characters; make one with "
            "`openssl rand -hex 32 > {}`",
            path, k_min_token_chars, path));
    return line;
}

Result<void> run_sink(const SinkOptions& options) {
    auto listener = listen_tcp(options.listen_address, options.listen_port, "--listen");
    if (!listener) return tl::unexpected(listener.error());
    std::optional<TlsTerminator> tls;
    if (!options.tls_cert_file.empty()) {
        TlsOptions t;
        t.cert_file = options.tls_cert_file;
        t.key_file = options.tls_key_file;
        t.address = options.tls_address;
        t.port = options.tls_port;
        t.max_connections = options.tls_max_connections;
        t.handshake_timeout_ms = options.tls_handshake_timeout_ms;
        auto opened = TlsTerminator::open(t);
        if (!opened) return tl::unexpected(opened.error());
        tls.emplace(std::move(*opened));
    }
    auto source = PacketSource::open(options.interface, options.watch_ports);
    if (!source) return tl::unexpected(source.error());
    Server server(options, std::move(*listener), std::move(*source), std::move(tls));
    return server.run();
}

}  // namespace sniprobe::sink
