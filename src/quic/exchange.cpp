// The QUIC probe loop: poll(2) over the in-flight probes' UDP sockets and the interrupt
// pipe, woken by the nearest deadline or start time. Each socket is connect()ed to the
// server, so the kernel delivers only that server's datagrams and reports an ICMP port
// unreachable as ECONNREFUSED. Client connection IDs: a random 8-byte DCID (the Initial
// keys come from it) and an empty SCID, as Chrome sends them.
#include "quic/exchange.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "forge/fast_rng.hpp"
#include "quic/client_initial.hpp"
#include "quic/first_flight.hpp"
#include "util/clock.hpp"
#include "util/fd.hpp"
#include "util/interrupt.hpp"
#include "util/sockaddr.hpp"

namespace sniprobe::quic {
namespace {

constexpr size_t k_max_datagram = 65536;
constexpr int k_max_poll_ms = 1000;

enum class State { waiting, running, done };

struct Probe {
    State state = State::waiting;
    Fd fd;
    std::vector<uint8_t> dcid;
    InitialKeys keys;
    ServerFlight flight;
    double deadline_s = 0;
    ProbeResult result;
};

bool answered(ProbeOutcome o) {
    return o == ProbeOutcome::server_hello || o == ProbeOutcome::hello_retry_request ||
           o == ProbeOutcome::retry || o == ProbeOutcome::version_negotiation;
}

void finish(Probe& p, ProbeOutcome outcome) {
    p.result.outcome = outcome;
    p.result.ended_s = monotonic_seconds();
    p.state = State::done;
    p.fd.reset();
}

void local_error(Probe& p, const std::string& what) {
    p.result.error = what + ": " + std::strerror(errno);
    finish(p, ProbeOutcome::local_error);
}

// The first flight of a probe: Initials carrying a forged hello, or a version ping.
Result<std::vector<std::vector<uint8_t>>> first_flight(const ProbeRequest& req, Probe& p,
                                                       forge::FastRng& rng) {
    std::vector<std::vector<uint8_t>> out;
    if (req.kind == ProbeKind::version_ping) {
        out.push_back(version_ping(rng, reserved_version(rng)));
        return out;
    }
    p.dcid.resize(8);
    rng.fill(p.dcid);
    auto keys = derive_initial_keys(p.dcid);
    if (!keys) return tl::unexpected(keys.error());
    p.keys = *keys;
    forge::ForgeOptions options;
    options.shape = req.shape;
    options.server_name = req.server_name;
    options.sni_placement =
        req.server_name.empty() ? forge::SniPlacement::shape_default : req.sni_placement;
    options.ech = req.ech;
    options.seed = rng.next();
    options.quic_transport_parameters = client_transport_parameters({});
    auto hello_template = forge::HelloTemplate::create(options);
    if (!hello_template) return tl::unexpected(hello_template.error());
    auto hello = hello_template->forge();
    auto message = hello.bytes.subspan(5);
    p.result.hello_bytes = message.size();
    InitialLayout layout;
    layout.dcid = p.dcid;
    auto initials = build_client_initials(message, layout);
    if (!initials) return tl::unexpected(initials.error());
    for (auto& i : *initials) out.push_back(std::move(i.datagram));
    return out;
}

void start(const ProbeRequest& req, Probe& p, uint16_t reuse_port, forge::FastRng& rng) {
    p.state = State::running;
    p.result.started_s = monotonic_seconds();
    p.deadline_s = p.result.started_s + req.timeout_ms / 1000.0;
    auto remote = socket_address_from_text(req.address, req.port);
    if (!remote) {
        errno = EINVAL;
        return local_error(p, "not an IP literal: " + req.address);
    }
    p.fd.reset(::socket(remote->family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!p.fd) return local_error(p, "socket");
    const uint16_t port = reuse_port ? reuse_port : req.local_port;
    if (port != 0) {
        const int one = 1;
        ::setsockopt(p.fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        auto local = wildcard_socket_address(remote->family(), port);
        if (::bind(p.fd.get(), local.get(), local.length) != 0)
            return local_error(p, "bind to port " + std::to_string(port));
    }
    if (::connect(p.fd.get(), remote->get(), remote->length) != 0) return local_error(p, "connect");
    if (auto local = socket_address_of(p.fd.get(), SocketEnd::local))
        p.result.local_port = address_port(local->storage);
    auto flight = first_flight(req, p, rng);
    if (!flight) {
        p.result.error = flight.error().message;
        return finish(p, ProbeOutcome::local_error);
    }
    for (const auto& datagram : *flight) {
        if (::send(p.fd.get(), datagram.data(), datagram.size(), 0) < 0) {
            if (errno == ECONNREFUSED) return finish(p, ProbeOutcome::refused);
            return local_error(p, "send");
        }
        ++p.result.datagrams_sent;
    }
}

// Reads every datagram waiting on the probe's socket and decides when it can.
void receive(const ProbeRequest& req, Probe& p, std::vector<uint8_t>& buf) {
    for (;;) {
        const ssize_t n = ::recv(p.fd.get(), buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
            if (errno == ECONNREFUSED) return finish(p, ProbeOutcome::refused);
            return local_error(p, "recv");
        }
        ++p.result.datagrams_received;
        if (!p.result.first_reply_ms)
            p.result.first_reply_ms = (monotonic_seconds() - p.result.started_s) * 1000.0;
        const auto d = read_server_datagram({buf.data(), static_cast<size_t>(n)}, p.keys, p.dcid);
        // A datagram the keys do not open is most often a stray: the server still sending
        // to an earlier connection on the same 4-tuple (a follow-up on a trigger's port).
        // It decides nothing; other garbage is remembered and named at the deadline.
        if (d.anomaly != QuicAnomaly::none && d.anomaly != QuicAnomaly::undecryptable &&
            p.result.anomaly == QuicAnomaly::none)
            p.result.anomaly = d.anomaly;
        if (d.has(PacketKind::version_negotiation) && d.anomaly == QuicAnomaly::none) {
            p.result.offered_versions = d.offered_versions;
            return finish(p, ProbeOutcome::version_negotiation);
        }
        if (req.kind == ProbeKind::version_ping) continue;  // only a VN decides a ping
        if (d.has(PacketKind::handshake)) p.result.handshake_seen = true;
        if (d.has(PacketKind::retry) && d.anomaly == QuicAnomaly::none)
            return finish(p, ProbeOutcome::retry);
        p.flight.add(d);
        const auto reply = p.flight.reply();
        if (reply.kind == forge::ReplyKind::server_hello ||
            reply.kind == forge::ReplyKind::hello_retry_request) {
            p.result.reply = reply;
            return finish(p, reply.kind == forge::ReplyKind::server_hello
                                 ? ProbeOutcome::server_hello
                                 : ProbeOutcome::hello_retry_request);
        }
        if (reply.kind == forge::ReplyKind::anomaly) {
            p.result.reply = reply;
            return finish(p, ProbeOutcome::anomaly);
        }
        if (d.close) {
            p.result.close = d.close;
            p.result.tls_alert = d.close->tls_alert();
            return finish(p, ProbeOutcome::connection_close);
        }
    }
}

}  // namespace

std::string_view probe_outcome_name(ProbeOutcome outcome) {
    switch (outcome) {
        case ProbeOutcome::server_hello:
            return "server_hello";
        case ProbeOutcome::hello_retry_request:
            return "hello_retry_request";
        case ProbeOutcome::retry:
            return "retry";
        case ProbeOutcome::version_negotiation:
            return "version_negotiation";
        case ProbeOutcome::connection_close:
            return "connection_close";
        case ProbeOutcome::refused:
            return "refused";
        case ProbeOutcome::anomaly:
            return "anomaly";
        case ProbeOutcome::timeout:
            return "timeout";
        case ProbeOutcome::local_error:
            return "local_error";
    }
    return "unknown";
}

std::vector<ProbeResult> run_probes(const std::vector<ProbeRequest>& requests, int concurrency) {
    std::vector<Probe> probes(requests.size());
    auto rng = forge::FastRng::from_os();
    std::vector<uint8_t> buf(k_max_datagram);
    const double run_start = monotonic_seconds();
    concurrency = std::max(concurrency, 1);
    for (;;) {
        const double now = monotonic_seconds();
        int running = 0;
        bool all_done = true;
        double wake = now + k_max_poll_ms / 1000.0;
        for (size_t i = 0; i < probes.size(); ++i) {
            Probe& p = probes[i];
            if (p.state == State::running && now >= p.deadline_s)
                finish(p, p.result.anomaly != QuicAnomaly::none ? ProbeOutcome::anomaly
                                                                : ProbeOutcome::timeout);
            if (p.state == State::running) ++running;
            if (p.state != State::done) all_done = false;
        }
        if (all_done || interrupted()) break;
        for (size_t i = 0; i < probes.size() && running < concurrency; ++i) {
            Probe& p = probes[i];
            const ProbeRequest& req = requests[i];
            if (p.state != State::waiting) continue;
            const double start_at = run_start + req.start_after_ms / 1000.0;
            uint16_t reuse = 0;
            if (req.same_port_as) {
                const size_t j = *req.same_port_as;
                // The earlier probe must be finished (its socket closed) to free the port.
                if (j < i && probes[j].state != State::done) continue;
                if (j < i) reuse = probes[j].result.local_port;
            }
            if (req.only_if_unanswered) {
                const size_t j = *req.only_if_unanswered;
                if (j < i && probes[j].state != State::done) continue;
                if (j < i && answered(probes[j].result.outcome)) {
                    p.result.skipped = true;
                    p.state = State::done;
                    continue;
                }
            }
            if (now < start_at) {
                wake = std::min(wake, start_at);
                continue;
            }
            start(req, p, reuse, rng);
            if (p.state == State::running) ++running;
        }
        if (std::all_of(probes.begin(), probes.end(),
                        [](const Probe& p) { return p.state == State::done; }))
            break;
        std::vector<pollfd> pfds{{interrupt_fd(), POLLIN, 0}};
        std::vector<size_t> owners{probes.size()};
        for (size_t i = 0; i < probes.size(); ++i) {
            if (probes[i].state != State::running) continue;
            pfds.push_back({probes[i].fd.get(), POLLIN, 0});
            owners.push_back(i);
            wake = std::min(wake, probes[i].deadline_s);
        }
        const int wait_ms = std::clamp(static_cast<int>((wake - monotonic_seconds()) * 1000.0) + 1,
                                       0, k_max_poll_ms);
        if (::poll(pfds.data(), pfds.size(), wait_ms) < 0 && errno != EINTR) break;
        for (size_t k = 1; k < pfds.size(); ++k)
            if (pfds[k].revents != 0 && probes[owners[k]].state == State::running)
                receive(requests[owners[k]], probes[owners[k]], buf);
    }
    std::vector<ProbeResult> out;
    out.reserve(probes.size());
    for (auto& p : probes) {
        if (p.state == State::running) finish(p, ProbeOutcome::timeout);
        out.push_back(std::move(p.result));
    }
    return out;
}

}  // namespace sniprobe::quic
