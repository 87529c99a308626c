// Listening sockets for the sink (see listen_socket.hpp): parse the literal, bind, listen
// with a deep backlog (a flood should be accepted and refused, not queued).
#include "sink/listen_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace sniprobe::sink {

Result<Fd> listen_tcp(const std::string& address, uint16_t port, const std::string& option) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    int family = AF_INET;
    if (auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
        ::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        len = sizeof(sockaddr_in);
    } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
               ::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        len = sizeof(sockaddr_in6);
        family = AF_INET6;
    } else {
        return fail(option + ": '" + address + "' is not an IP address");
    }
    Fd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return fail(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
        return fail(fmt::format("{}: cannot bind {}:{}: {}", option, address, port,
                                std::strerror(errno)));
    if (::listen(fd.get(), 512) != 0) return fail(std::string("listen: ") + std::strerror(errno));
    return fd;
}

std::pair<std::string, uint16_t> socket_address(int fd, Side side) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    auto* sa = reinterpret_cast<sockaddr*>(&ss);
    int rc = side == Side::peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len);
    if (rc != 0) return {"", 0};
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(ss);
        ::inet_ntop(AF_INET, &v4.sin_addr, buf, sizeof buf);
        return {buf, ntohs(v4.sin_port)};
    }
    if (ss.ss_family == AF_INET6) {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(ss);
        ::inet_ntop(AF_INET6, &v6.sin6_addr, buf, sizeof buf);
        return {buf, ntohs(v6.sin6_port)};
    }
    return {"", 0};
}

uint16_t bound_port(int fd) {
    return socket_address(fd, Side::local).second;
}

}  // namespace sniprobe::sink
