// Builds raw IPv4/IPv6 + TCP packets for injection (the lab middlebox's forged RSTs,
// FINs and block pages, written to an IPPROTO_RAW socket with IP_HDRINCL). The quirk:
// a forged segment is only accepted if both checksums are right and its sequence
// number is exact, so the builder computes the IPv4 header checksum and the TCP
// checksum over the pseudo-header itself instead of trusting offload (raw sockets on
// Linux fill in the IPv4 checksum, but never the TCP one).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace sniprobe::wire {

// Everything a forged TCP segment carries. Addresses are network-order bytes; IPv4
// uses the first 4 bytes of src/dst.
struct TcpSpec {
    std::array<uint8_t, 16> src{};
    std::array<uint8_t, 16> dst{};
    uint16_t src_port = 0, dst_port = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;  // tcp_flag bits (model/packet.hpp)
    uint16_t window = 0;
    uint8_t ttl = 64;              // TTL / IPv6 hop limit
    uint16_t ip_id = 0;            // IPv4 only
    bool df = false;               // IPv4 don't-fragment bit
    std::vector<uint8_t> payload;  // must fit one IP packet (at most 65495 bytes over IPv4)
    int ip_version = 4;            // which builder the sender uses (4 or 6)
};

// IPv4 header (20 bytes, no options) + TCP header (20 bytes, no options) + payload,
// with correct IP and TCP checksums.
std::vector<uint8_t> build_tcp_ipv4(const TcpSpec& spec);

// IPv6 header (40 bytes, no extension headers) + TCP header + payload; ip_id and df
// are ignored, ttl is the hop limit.
std::vector<uint8_t> build_tcp_ipv6(const TcpSpec& spec);

// RFC 1071 one's-complement sum of `bytes`, folded, not inverted (0 when empty).
uint16_t ones_complement_sum(std::span<const uint8_t> bytes, uint32_t initial = 0);

// True when the IPv4 header checksum (IPv4 only) and the TCP checksum of an IP packet
// are both correct; false for anything that is not a decodable TCP packet.
bool tcp_checksums_ok(std::span<const uint8_t> ip_packet);

// Parses "10.77.1.2" or "fd77::2" into network-order bytes (IPv4 in the first 4).
struct IpAddress {
    int version = 4;
    std::array<uint8_t, 16> bytes{};
};
std::optional<IpAddress> parse_ip_address(std::string_view text);

}  // namespace sniprobe::wire
