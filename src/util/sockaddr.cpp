// sockaddr_in / sockaddr_in6 behind the functions of sockaddr.hpp. A literal is tried as
// IPv4 first, then IPv6, with inet_pton, so "::ffff:1.2.3.4" is an IPv6 address and
// host names are refused (resolving is the resolver's business, not the socket's).
#include "util/sockaddr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace sniprobe {

std::optional<SocketAddress> socket_address_from_text(const std::string& address, uint16_t port) {
    SocketAddress out;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
    if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        out.length = sizeof(sockaddr_in);
        return out;
    }
    out = SocketAddress{};
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        out.length = sizeof(sockaddr_in6);
        return out;
    }
    return std::nullopt;
}

SocketAddress wildcard_socket_address(int family, uint16_t port) {
    SocketAddress out;
    if (family == AF_INET6) {
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        v6->sin6_addr = in6addr_any;
        out.length = sizeof(sockaddr_in6);
    } else {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        v4->sin_addr.s_addr = htonl(INADDR_ANY);
        out.length = sizeof(sockaddr_in);
    }
    return out;
}

std::string address_text(const sockaddr_storage& address) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, buf,
                    sizeof buf);
    else if (address.ss_family == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, buf,
                    sizeof buf);
    return buf;
}

uint16_t address_port(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    return 0;
}

std::optional<SocketAddress> socket_address_of(int fd, SocketEnd end) {
    SocketAddress out;
    out.length = sizeof out.storage;
    const int rc = end == SocketEnd::peer ? ::getpeername(fd, out.get(), &out.length)
                                          : ::getsockname(fd, out.get(), &out.length);
    if (rc != 0) return std::nullopt;
    return out;
}

}  // namespace sniprobe
