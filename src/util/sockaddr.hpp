// IP literals and ports to and from the socket addresses the kernel calls take. Every
// socket sniprobe opens (probe, trace, sink, lab checks) goes through these, so "is this
// an IPv4 or IPv6 literal", the port's byte order and the address length live in one place.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sniprobe {

// An IPv4 or IPv6 socket address and the length the socket calls take with it.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    // AF_INET or AF_INET6.
    int family() const { return storage.ss_family; }
    // The address as the socket calls take it.
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
    sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

// address:port from an IPv4 or IPv6 literal; nullopt when `address` is neither.
std::optional<SocketAddress> socket_address_from_text(const std::string& address, uint16_t port);

// The wildcard address (0.0.0.0 or ::) of `family` (AF_INET or AF_INET6) with `port`.
SocketAddress wildcard_socket_address(int family, uint16_t port);

// The literal of an AF_INET or AF_INET6 address ("" for any other family).
std::string address_text(const sockaddr_storage& address);

// The port, in host order, of an AF_INET or AF_INET6 address (0 for any other family).
uint16_t address_port(const sockaddr_storage& address);

// Which end of a connected socket socket_address_of reads.
enum class SocketEnd { local, peer };

// The local (getsockname) or peer (getpeername) address of a socket; nullopt on error.
std::optional<SocketAddress> socket_address_of(int fd, SocketEnd end);

}  // namespace sniprobe
