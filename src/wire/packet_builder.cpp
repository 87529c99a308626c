// Packet builder for forged segments. The TCP checksum covers a pseudo-header (source,
// destination, protocol, TCP length) that is not part of the segment: IPv4's is 12
// bytes, IPv6's 40, and getting either wrong makes the receiver drop the forgery
// silently, which in the lab looks exactly like "the injector did not fire".
#include "wire/packet_builder.hpp"

#include <algorithm>
#include <string>

#include <arpa/inet.h>

#include "wire/ip_numbers.hpp"
#include "wire/packet.hpp"

namespace sniprobe::wire {
namespace {

void put16(uint8_t* at, uint16_t v) {
    at[0] = static_cast<uint8_t>(v >> 8);
    at[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t* at, uint32_t v) {
    put16(at, static_cast<uint16_t>(v >> 16));
    put16(at + 2, static_cast<uint16_t>(v));
}

// Writes the 20-byte TCP header (checksum zero) and the payload at `at`.
void write_tcp(uint8_t* at, const TcpSpec& spec) {
    put16(at, spec.src_port);
    put16(at + 2, spec.dst_port);
    put32(at + 4, spec.seq);
    put32(at + 8, spec.ack);
    at[12] = (k_tcp_min_header / 4) << 4;
    at[13] = spec.flags;
    put16(at + 14, spec.window);
    std::copy(spec.payload.begin(), spec.payload.end(), at + k_tcp_min_header);
}

// Sum of the pseudo-header: addresses, protocol and TCP length.
uint32_t pseudo_header_sum(int version, const uint8_t* src, const uint8_t* dst, size_t tcp_len) {
    const size_t addr_len = version == 4 ? 4 : 16;
    uint32_t sum = ones_complement_sum({src, addr_len});
    sum = ones_complement_sum({dst, addr_len}, sum);
    sum += k_proto_tcp;
    sum += static_cast<uint32_t>(tcp_len >> 16) + static_cast<uint32_t>(tcp_len & 0xffff);
    return sum;
}

uint16_t tcp_checksum(int version, const uint8_t* src, const uint8_t* dst,
                      std::span<const uint8_t> tcp) {
    const uint16_t sum = ones_complement_sum(tcp, pseudo_header_sum(version, src, dst, tcp.size()));
    return static_cast<uint16_t>(~sum);
}

}  // namespace

uint16_t ones_complement_sum(std::span<const uint8_t> bytes, uint32_t initial) {
    uint64_t sum = initial;
    size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2)
        sum += static_cast<uint32_t>((bytes[i] << 8) | bytes[i + 1]);
    if (i < bytes.size()) sum += static_cast<uint32_t>(bytes[i] << 8);  // odd byte, zero-padded
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

std::vector<uint8_t> build_tcp_ipv4(const TcpSpec& spec) {
    const size_t tcp_len = k_tcp_min_header + spec.payload.size();
    std::vector<uint8_t> packet(k_ipv4_min_header + tcp_len);
    uint8_t* ip = packet.data();
    ip[0] = 0x45;
    put16(ip + 2, static_cast<uint16_t>(packet.size()));
    put16(ip + 4, spec.ip_id);
    put16(ip + 6, spec.df ? 0x4000 : 0);
    ip[8] = spec.ttl;
    ip[9] = k_proto_tcp;
    std::copy_n(spec.src.data(), 4, ip + 12);
    std::copy_n(spec.dst.data(), 4, ip + 16);
    put16(ip + 10, static_cast<uint16_t>(~ones_complement_sum({ip, k_ipv4_min_header})));

    uint8_t* tcp = ip + k_ipv4_min_header;
    write_tcp(tcp, spec);
    put16(tcp + 16, tcp_checksum(4, spec.src.data(), spec.dst.data(), {tcp, tcp_len}));
    return packet;
}

std::vector<uint8_t> build_tcp_ipv6(const TcpSpec& spec) {
    const size_t tcp_len = k_tcp_min_header + spec.payload.size();
    std::vector<uint8_t> packet(k_ipv6_header + tcp_len);
    uint8_t* ip = packet.data();
    ip[0] = 0x60;
    put16(ip + 4, static_cast<uint16_t>(tcp_len));
    ip[6] = k_proto_tcp;
    ip[7] = spec.ttl;
    std::copy_n(spec.src.data(), 16, ip + 8);
    std::copy_n(spec.dst.data(), 16, ip + 24);

    uint8_t* tcp = ip + k_ipv6_header;
    write_tcp(tcp, spec);
    put16(tcp + 16, tcp_checksum(6, spec.src.data(), spec.dst.data(), {tcp, tcp_len}));
    return packet;
}

bool tcp_checksums_ok(std::span<const uint8_t> ip_packet) {
    const PacketParse parsed = decode_tcp_packet(ip_packet);
    if (!parsed.packet) return false;
    const TcpPacket& p = *parsed.packet;
    if (p.payload.size() != p.wire_payload_len) return false;  // cut by a snaplen: cannot tell
    if (p.ip_version == 4 && ones_complement_sum(ip_packet.first(p.ip_header_len)) != 0xffff)
        return false;
    const auto tcp = ip_packet.subspan(p.ip_header_len, p.tcp_header_len + p.payload.size());
    const uint32_t pseudo = pseudo_header_sum(p.ip_version, p.src, p.dst, tcp.size());
    return ones_complement_sum(tcp, pseudo) == 0xffff;
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
    const std::string copy(text);
    IpAddress address;
    if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) {
        address.version = 4;
        return address;
    }
    if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
        address.version = 6;
        return address;
    }
    return std::nullopt;
}

}  // namespace sniprobe::wire
