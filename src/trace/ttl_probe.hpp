// One TTL-limited ClientHello and what it draws, plus the raw ICMP socket that hears
// the routers. Quirks: the TCP handshake runs at the normal TTL (only the hello is
// limited, or the SYN would die first and nothing could trigger); a socket left at a low
// TTL keeps retransmitting at that TTL after close(), so the TTL is restored and the
// socket closed with SO_LINGER {1,0} (an RST at full TTL) every time (DESIGN.md §6);
// raw ICMPv6 sockets deliver no IPv6 header, so one is synthesised for the decoder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/fd.hpp"
#include "util/result.hpp"
#include "wire/packet.hpp"

namespace sniprobe::trace {

// A raw ICMP (v4) or ICMPv6 socket; needs CAP_NET_RAW.
class IcmpListener {
  public:
    // Opens the socket for the address family of `address`.
    static Result<IcmpListener> open(const std::string& address);
    int fd() const { return m_fd.get(); }
    // Reads one pending message; nullopt when none is pending or it is not an ICMP
    // error quoting TCP.
    std::optional<wire::IcmpError> read_one();

  private:
    Fd m_fd;
    bool m_ipv6 = false;
};

// One probe's parameters.
struct TtlProbeSpec {
    std::string address;
    uint16_t port = 443;
    int ttl = 1;
    const std::vector<uint8_t>* client_hello = nullptr;
    int wait_ms = 1000;
    int connect_timeout_ms = 3000;
};

// What came back: an outcome string (see TraceObservation) and the ICMP source.
struct TtlProbeResult {
    std::string outcome;
    std::string router;
};

// Connects, sends the hello at spec.ttl, waits for an answer, cleans the socket up.
TtlProbeResult run_ttl_probe(const TtlProbeSpec& spec, IcmpListener& icmp);

}  // namespace sniprobe::trace
