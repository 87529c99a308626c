// Socket helpers for the probe engine (see socket_ops.hpp). linux/tcp.h is used for
// tcp_info because glibc's copy lacks tcpi_data_segs_out, which counts only the segments
// that carried data: exactly "how many segments did the ClientHello take".
#include "probe/socket_ops.hpp"

#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "util/sockaddr.hpp"

namespace sniprobe {

Result<ProbeSocket> open_probe_socket(const std::string& address, int mss, bool bind_now,
                                      bool nodelay) {
    const auto target = socket_address_from_text(address, 0);
    if (!target) return fail("not an IP address: " + address);
    // Bind to the wildcard of the family with port 0: the kernel picks the port now.
    const SocketAddress any = wildcard_socket_address(target->family(), 0);

    ProbeSocket s;
    s.fd.reset(::socket(any.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
    if (!s.fd) return fail(std::string("socket: ") + std::strerror(errno));
    if (nodelay) {
        int one = 1;
        ::setsockopt(s.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (mss > 0 && ::setsockopt(s.fd.get(), IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss) != 0)
        return fail("cannot clamp the MSS to " + std::to_string(mss) + ": " + std::strerror(errno));
    linger lg{1, 0};
    ::setsockopt(s.fd.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    if (!bind_now) return s;
    if (::bind(s.fd.get(), any.get(), any.length) != 0)
        return fail(std::string("bind: ") + std::strerror(errno));
    const auto local = socket_address_of(s.fd.get(), SocketEnd::local);
    s.local_port = local ? address_port(local->storage) : 0;
    return s;
}

int start_connect(int fd, const std::string& address, uint16_t port) {
    const auto peer = socket_address_from_text(address, port);
    if (!peer) return EINVAL;
    if (::connect(fd, peer->get(), peer->length) == 0) return 0;
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
    if (len < offsetof(tcp_info, tcpi_data_segs_out) + sizeof info.tcpi_data_segs_out)
        return std::nullopt;
    return info.tcpi_data_segs_out;
}

std::string failure_from_errno(int err) {
    switch (err) {
        case 0:
            return "";
        case ECONNREFUSED:
            return "connection_refused";
        case ECONNRESET:
        case EPIPE:
            return "connection_reset";
        case ETIMEDOUT:
            return "generic_timeout_error";
        case EHOSTUNREACH:
            return "host_unreachable";
        case ENETUNREACH:
            return "network_unreachable";
        case ECONNABORTED:
            return "connection_aborted";
        case EADDRNOTAVAIL:
            return "address_not_available";
        default:
            return std::string("unknown_failure: ") + std::strerror(err);
    }
}

}  // namespace sniprobe
