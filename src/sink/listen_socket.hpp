// A non-blocking TCP listening socket on an IP literal, shared by the sink's query port
// and its TLS port. SO_REUSEADDR so a restarted sink does not wait out TIME_WAIT.
#pragma once

#include <cstdint>
#include <string>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace sniprobe::sink {

// Binds address:port (IPv4 or IPv6 literal) and listens; `option` names the flag in errors.
Result<Fd> listen_tcp(const std::string& address, uint16_t port, const std::string& option);

// The port a socket is bound to (0 when unknown).
uint16_t bound_port(int fd);

// The peer's (or, with local = Side::local, our own) address literal and port.
enum class Side { peer, local };
std::pair<std::string, uint16_t> socket_address(int fd, Side side);

}  // namespace sniprobe::sink
