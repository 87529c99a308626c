// IPv4/IPv6 + TCP header decoding of raw packets (NFQUEUE payloads, pcap frames after
// the link header). Every length is checked against the buffer; a packet that lies
// about its lengths is a named anomaly, never an out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sniprobe::wire {

// Why a packet could not be decoded.
enum class PacketAnomaly {
    none,
    too_short,  // shorter than the headers it claims
    bad_ip_version,
    bad_ip_header_length,
    bad_total_length,
    not_tcp,  // decodable IP, but not TCP (and not ICMP for decode_icmp)
    bad_tcp_offset,
    fragment,  // a non-first IPv4 fragment: no TCP header to read
};

// Stable name of an anomaly.
std::string_view packet_anomaly_name(PacketAnomaly a);

// A decoded TCP/IP packet. Addresses are network-order bytes; helpers format them.
struct TcpPacket {
    int ip_version = 4;
    uint8_t src[16] = {}, dst[16] = {};  // IPv4 uses the first 4 bytes
    uint8_t ttl = 0;                     // TTL / hop limit
    uint16_t ip_id = 0;                  // IPv4 only
    bool df = false;
    uint16_t src_port = 0, dst_port = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;
    uint16_t window = 0;
    uint8_t tcp_header_len = 0;  // bytes, options included
    size_t ip_header_len = 0;
    std::span<const uint8_t> payload;  // view into the input buffer (Ethernet padding trimmed)
    // Payload length the IP header claims; larger than payload.size() when the capture
    // was cut by its snaplen.
    size_t wire_payload_len = 0;

    // "10.77.1.2" or "fd77::2".
    std::string src_string() const;
    std::string dst_string() const;
};

// Decoded packet, or why not.
struct PacketParse {
    PacketAnomaly anomaly = PacketAnomaly::none;
    std::optional<TcpPacket> packet;
};

// Decodes an IP packet (starting at the IP header) carrying TCP.
PacketParse decode_tcp_packet(std::span<const uint8_t> ip_packet);

// An ICMP/ICMPv6 error and the TCP ports of the packet it quotes.
struct IcmpError {
    int ip_version = 4;
    std::string from;  // the router that sent it
    uint8_t type = 0, code = 0;
    uint16_t quoted_src_port = 0, quoted_dst_port = 0;
    std::string quoted_dst;
    std::string quoted_src;
    std::optional<uint32_t> quoted_seq;  // the quoted TCP sequence number (when quoted)
    uint16_t quoted_ip_id = 0;           // IPv4: the probe's IP ID, to match it
    uint8_t quoted_ttl = 0;              // TTL left when the quoted packet expired
    std::optional<uint32_t> mtu;         // fragmentation needed / packet too big
};

// Decodes an ICMP time-exceeded / unreachable that quotes a TCP packet.
std::optional<IcmpError> decode_icmp_error(std::span<const uint8_t> ip_packet);

}  // namespace sniprobe::wire
