// Socket helpers for the probe engine (see socket_ops.hpp). linux/tcp.h is used for
// tcp_info because glibc's copy lacks tcpi_data_segs_out, which counts only the segments
// that carried data: exactly "how many segments did the ClientHello take".
#include "probe/socket_ops.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sniprobe {
namespace {

bool to_sockaddr(const std::string& address, uint16_t port, sockaddr_storage& out, socklen_t& len) {
    std::memset(&out, 0, sizeof out);
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    if (::inet_pton(AF_INET, address.c_str(), &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        len = sizeof(sockaddr_in);
        return true;
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
    if (::inet_pton(AF_INET6, address.c_str(), &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

}  // namespace

Result<ProbeSocket> open_probe_socket(const std::string& address, int mss) {
    sockaddr_storage any{};
    socklen_t len = 0;
    if (!to_sockaddr(address, 0, any, len)) return fail("not an IP address: " + address);
    // Bind to the wildcard of the family with port 0: the kernel picks the port now.
    if (any.ss_family == AF_INET)
        reinterpret_cast<sockaddr_in*>(&any)->sin_addr.s_addr = htonl(INADDR_ANY);
    else
        reinterpret_cast<sockaddr_in6*>(&any)->sin6_addr = in6addr_any;

    ProbeSocket s;
    s.fd.reset(::socket(any.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
    if (!s.fd) return fail(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(s.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (mss > 0 && ::setsockopt(s.fd.get(), IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss) != 0)
        return fail("cannot clamp the MSS to " + std::to_string(mss) + ": " + std::strerror(errno));
    linger lg{1, 0};
    ::setsockopt(s.fd.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    if (::bind(s.fd.get(), reinterpret_cast<sockaddr*>(&any), len) != 0)
        return fail(std::string("bind: ") + std::strerror(errno));
    sockaddr_storage local{};
    socklen_t local_len = sizeof local;
    ::getsockname(s.fd.get(), reinterpret_cast<sockaddr*>(&local), &local_len);
    s.local_port = ntohs(local.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&local)->sin_port
                                                    : reinterpret_cast<sockaddr_in6*>(&local)->sin6_port);
    return s;
}

int start_connect(int fd, const std::string& address, uint16_t port) {
    sockaddr_storage peer{};
    socklen_t len = 0;
    if (!to_sockaddr(address, port, peer, len)) return EINVAL;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&peer), len) == 0) return 0;
    return errno;
}

int socket_error(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
    return err;
}

std::optional<uint32_t> data_segments_sent(int fd) {
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
    if (len < offsetof(tcp_info, tcpi_data_segs_out) + sizeof info.tcpi_data_segs_out) return std::nullopt;
    return info.tcpi_data_segs_out;
}

std::string failure_from_errno(int err) {
    switch (err) {
        case 0: return "";
        case ECONNREFUSED: return "connection_refused";
        case ECONNRESET:
        case EPIPE: return "connection_reset";
        case ETIMEDOUT: return "generic_timeout_error";
        case EHOSTUNREACH: return "host_unreachable";
        case ENETUNREACH: return "network_unreachable";
        case ECONNABORTED: return "connection_aborted";
        case EADDRNOTAVAIL: return "address_not_available";
        default: return std::string("unknown_failure: ") + std::strerror(err);
    }
}

}  // namespace sniprobe
