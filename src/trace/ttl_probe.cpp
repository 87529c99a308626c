// The probe as a small poll loop over two descriptors: the TCP socket (RST ->
// ECONNRESET, FIN -> 0 bytes, ServerHello -> bytes starting 0x16) and the raw ICMP
// socket (errors quoting our source port). A time-exceeded does not end the wait at
// once: an RST from a box at or before that hop may still be on its way, so a short
// grace (3 x the connect round trip, at least 50 ms) follows; likewise after an RST the
// grace lets a later router's time-exceeded arrive, which tells on-path from in-path.
#include "trace/ttl_probe.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "util/clock.hpp"
#include "util/sockaddr.hpp"

namespace sniprobe::trace {

namespace {

using Clock = std::chrono::steady_clock;
// After the ICMP error (or the RST) arrives, keep listening this long for the other: a
// box at this hop injects its RST while the router also answers, and on a loaded host
// either may come second by tens of milliseconds.
constexpr int k_min_grace_ms = 150;
constexpr uint8_t k_icmp_time_exceeded = 11;
constexpr uint8_t k_icmp6_time_exceeded = 3;

bool is_ipv6(const std::string& address) {
    return address.find(':') != std::string::npos;
}

void set_ttl(int fd, bool ipv6, int ttl) {
    if (ipv6)
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
    else
        ::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
}

// Restores the route's default TTL and closes with an RST (SO_LINGER {1,0}).
void close_cleanly(Fd& fd, bool ipv6) {
    if (!fd) return;
    set_ttl(fd.get(), ipv6, -1);
    linger abortive{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
    fd.reset();
}

uint16_t local_port_of(int fd) {
    const auto local = socket_address_of(fd, SocketEnd::local);
    return local ? address_port(local->storage) : 0;
}

// Connects at the normal TTL; returns the connect time in ms, or nullopt.
std::optional<double> connect_with_timeout(int fd, const SocketAddress& addr, int timeout_ms) {
    auto start = Clock::now();
    if (::connect(fd, addr.get(), addr.length) != 0 && errno != EINPROGRESS) return std::nullopt;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    int err = 0;
    socklen_t err_len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0)
        return std::nullopt;
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Reads what the socket says; "" when nothing decisive yet.
std::string read_socket_outcome(int fd) {
    uint8_t buf[512];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) return buf[0] == 0x16 ? "server_hello" : buf[0] == 0x15 ? "alert" : "data";
    if (n == 0) return "fin";
    if (errno == ECONNRESET) return "rst";
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return "";
    return "rst";
}

}  // namespace

Result<IcmpListener> IcmpListener::open(const std::string& address) {
    IcmpListener l;
    l.m_ipv6 = is_ipv6(address);
    l.m_fd.reset(::socket(l.m_ipv6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          l.m_ipv6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP}));
    if (!l.m_fd) {
        if (errno == EPERM || errno == EACCES)
            return fail(ErrorCode::permission,
                        "trace needs root or CAP_NET_RAW (it reads ICMP time-exceeded on a raw "
                        "socket); run with sudo");
        return fail(ErrorCode::io, fmt::format("trace: raw ICMP socket: {}", std::strerror(errno)));
    }
    return l;
}

std::optional<wire::IcmpError> IcmpListener::read_one() {
    uint8_t buf[1600];
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    size_t header = m_ipv6 ? 40 : 0;
    ssize_t n = ::recvfrom(m_fd.get(), buf + header, sizeof buf - header, 0,
                           reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n <= 0) return std::nullopt;
    if (m_ipv6) {
        // Synthesise the IPv6 header the decoder expects: version, payload length,
        // next header ICMPv6, the sender as source.
        std::memset(buf, 0, header);
        buf[0] = 0x60;
        buf[4] = static_cast<uint8_t>(n >> 8);
        buf[5] = static_cast<uint8_t>(n);
        buf[6] = 58;
        buf[7] = 64;
        std::memcpy(buf + 8, &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, 16);
    }
    return wire::decode_icmp_error(std::span<const uint8_t>(buf, header + static_cast<size_t>(n)));
}

TtlProbeResult run_ttl_probe(const TtlProbeSpec& spec, IcmpListener& icmp) {
    const bool ipv6 = is_ipv6(spec.address);
    const auto addr = socket_address_from_text(spec.address, spec.port);
    Fd fd(::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd || !addr || addr->family() != (ipv6 ? AF_INET6 : AF_INET))
        return {"connect_failed", ""};
    auto connect_ms = connect_with_timeout(fd.get(), *addr, spec.connect_timeout_ms);
    if (!connect_ms) {
        close_cleanly(fd, ipv6);
        return {"connect_failed", ""};
    }
    const uint16_t local_port = local_port_of(fd.get());
    while (icmp.read_one()) {  // drop stale errors of earlier probes
    }
    set_ttl(fd.get(), ipv6, spec.ttl);
    ssize_t sent =
        ::send(fd.get(), spec.client_hello->data(), spec.client_hello->size(), MSG_NOSIGNAL);
    if (sent < 0) {
        close_cleanly(fd, ipv6);
        return {"connect_failed", ""};
    }

    const int grace_ms = std::max(k_min_grace_ms, static_cast<int>(*connect_ms * 3));
    auto deadline = Clock::now() + std::chrono::milliseconds(spec.wait_ms);
    TtlProbeResult result;
    bool socket_done = false;
    while (ms_until(deadline) > 0) {
        pollfd fds[2] = {{icmp.fd(), POLLIN, 0}, {socket_done ? -1 : fd.get(), POLLIN, 0}};
        if (::poll(fds, 2, ms_until(deadline)) <= 0) continue;
        if (fds[0].revents & POLLIN) {
            while (auto e = icmp.read_one()) {
                if (e->quoted_src_port != local_port || e->quoted_dst_port != spec.port) continue;
                const bool expired =
                    e->type == (ipv6 ? k_icmp6_time_exceeded : k_icmp_time_exceeded);
                result.router = e->from;
                if (!socket_done) result.outcome = expired ? "time_exceeded" : "unreachable";
                deadline = std::min(deadline, Clock::now() + std::chrono::milliseconds(grace_ms));
            }
        }
        if (!socket_done && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
            std::string outcome = read_socket_outcome(fd.get());
            if (outcome.empty()) continue;
            result.outcome = outcome;
            socket_done = true;
            if (outcome == "server_hello" || outcome == "alert" || outcome == "data") break;
            deadline = std::min(deadline, Clock::now() + std::chrono::milliseconds(grace_ms));
        }
    }
    if (result.outcome.empty()) result.outcome = "timeout";
    close_cleanly(fd, ipv6);
    return result;
}

}  // namespace sniprobe::trace
