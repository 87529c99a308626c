// Listening sockets for the sink (see listen_socket.hpp): parse the literal, bind, listen
// with a deep backlog (a flood should be accepted and refused, not queued).
#include "sink/listen_socket.hpp"

#include <sys/socket.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "util/sockaddr.hpp"

namespace sniprobe::sink {

Result<Fd> listen_tcp(const std::string& address, uint16_t port, const std::string& option) {
    const auto bind_to = socket_address_from_text(address, port);
    if (!bind_to) return fail(option + ": '" + address + "' is not an IP address");
    Fd fd(::socket(bind_to->family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return fail(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), bind_to->get(), bind_to->length) != 0)
        return fail(
            fmt::format("{}: cannot bind {}:{}: {}", option, address, port, std::strerror(errno)));
    if (::listen(fd.get(), 512) != 0) return fail(std::string("listen: ") + std::strerror(errno));
    return fd;
}

std::pair<std::string, uint16_t> socket_address(int fd, Side side) {
    const auto end = socket_address_of(fd, side == Side::peer ? SocketEnd::peer : SocketEnd::local);
    if (!end) return {"", 0};
    return {address_text(end->storage), address_port(end->storage)};
}

uint16_t bound_port(int fd) {
    return socket_address(fd, Side::local).second;
}

}  // namespace sniprobe::sink
