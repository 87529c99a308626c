// One captured TCP packet of a probe's flow, reduced to what forensics reads: the
// header fields an injector cannot hide (TTL, IP ID, DF, window, seq/ack) and the time.
// Captured by capture/, read by analysis/; plain data so tests can build it by hand.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sniprobe {

// Which way a packet travelled, seen from the prober.
enum class Direction { outbound, inbound };

// TCP flag bits as on the wire.
namespace tcp_flag {
inline constexpr uint8_t fin = 0x01;
inline constexpr uint8_t syn = 0x02;
inline constexpr uint8_t rst = 0x04;
inline constexpr uint8_t psh = 0x08;
inline constexpr uint8_t ack = 0x10;
}  // namespace tcp_flag

// An ICMP error seen for the flow (time exceeded, unreachable).
struct IcmpRecord {
    double t = 0;      // seconds since the run started
    std::string from;  // the router that sent it
    uint8_t type = 0, code = 0;
};

// A TCP segment of one trial's flow.
struct PacketRecord {
    double t = 0;  // seconds since the run started
    Direction direction = Direction::outbound;
    uint8_t flags = 0;  // tcp_flag bits
    uint32_t seq = 0, ack = 0;
    uint8_t ttl = 0;     // IPv4 TTL / IPv6 hop limit
    uint16_t ip_id = 0;  // IPv4 only; 0 for IPv6
    bool df = false;     // IPv4 don't-fragment bit
    uint16_t window = 0;
    uint16_t payload_len = 0;
    uint8_t tcp_header_len = 0;         // bytes, options included
    std::vector<uint8_t> payload_head;  // first bytes of the payload (at most 16)
};

}  // namespace sniprobe
