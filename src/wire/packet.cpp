// IPv4/IPv6 + TCP and ICMP error decoding. Quirks handled here, each seen in real
// captures: Ethernet pads short frames to 60 bytes, so an RST carries trailing zeros
// that are not payload (trust the IP length, not the buffer); a segment captured on
// the sending host before TSO/GSO splits it has IPv4 total length 0 or IPv6 payload
// length 0 (trust the buffer then); a snaplen-limited capture holds fewer bytes than
// the IP length claims (decode the headers, keep what payload there is); IPv6 puts
// extension headers between the fixed header and TCP; and an ICMP error quotes only
// the first bytes of the offending packet, so the quoted IP length is never checked.
#include "wire/packet.hpp"
#include "wire/big_endian.hpp"
#include "wire/ip_numbers.hpp"

#include <algorithm>

#include <arpa/inet.h>
#include <sys/socket.h>

namespace sniprobe::wire {
namespace {

constexpr size_t k_icmp_header = 8;

std::string address_string(int version, const uint8_t* bytes) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(version == 6 ? AF_INET6 : AF_INET, bytes, text, sizeof text);
    return text;
}

// The IP layer of a packet: where the transport header starts and what it is.
struct IpLayer {
    PacketAnomaly anomaly = PacketAnomaly::none;
    int version = 4;
    uint8_t protocol = 0;
    size_t header_len = 0;            // IPv4 header with options / IPv6 header + extensions
    size_t claimed_len = 0;           // total length the header claims (or the buffer's)
    std::span<const uint8_t> packet;  // the bytes of this packet (padding trimmed)
};

// Walks IPv6 extension headers to the upper-layer protocol.
void skip_ipv6_extensions(IpLayer& ip, uint8_t next) {
    size_t pos = k_ipv6_header;
    const auto& b = ip.packet;
    for (;;) {
        if (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
            if (b.size() - pos < 8) break;
            next = b[pos];
            pos += (size_t{b[pos + 1]} + 1) * 8;
        } else if (next == 44) {  // fragment
            if (b.size() - pos < 8) break;
            if ((be16(b, pos + 2) & 0xfff8) != 0) {
                ip.anomaly = PacketAnomaly::fragment;
                return;
            }
            next = b[pos];
            pos += 8;
        } else if (next == 51) {  // authentication header
            if (b.size() - pos < 8) break;
            next = b[pos];
            pos += (size_t{b[pos + 1]} + 2) * 4;
        } else {
            ip.protocol = next;
            ip.header_len = pos;
            if (pos > b.size()) ip.anomaly = PacketAnomaly::too_short;
            return;
        }
        if (pos > b.size()) break;
    }
    ip.anomaly = PacketAnomaly::too_short;
}

// Decodes the IP header. `quoted` = inside an ICMP error: the claimed length is not
// checked against the bytes present (the quote is cut short by design).
enum class Quoted { no, yes };

IpLayer decode_ip(std::span<const uint8_t> buf, Quoted quoted) {
    IpLayer ip;
    if (buf.empty()) {
        ip.anomaly = PacketAnomaly::too_short;
        return ip;
    }
    ip.version = buf[0] >> 4;
    if (ip.version == 4) {
        if (buf.size() < k_ipv4_min_header) {
            ip.anomaly = PacketAnomaly::too_short;
            return ip;
        }
        ip.header_len = size_t{buf[0] & 0x0fu} * 4;
        if (ip.header_len < k_ipv4_min_header || ip.header_len > buf.size()) {
            ip.anomaly = PacketAnomaly::bad_ip_header_length;
            return ip;
        }
        size_t total = be16(buf, 2);
        if (total == 0 && quoted == Quoted::no) total = buf.size();  // TSO/GSO super-segment
        if (total < ip.header_len) {
            ip.anomaly = PacketAnomaly::bad_total_length;
            return ip;
        }
        ip.claimed_len = total;
        ip.packet = buf.first(std::min(total, buf.size()));
        ip.protocol = buf[9];
        if ((be16(buf, 6) & 0x1fff) != 0) ip.anomaly = PacketAnomaly::fragment;
        return ip;
    }
    if (ip.version == 6) {
        if (buf.size() < k_ipv6_header) {
            ip.anomaly = PacketAnomaly::too_short;
            return ip;
        }
        size_t total = k_ipv6_header + be16(buf, 4);
        if (total == k_ipv6_header && quoted == Quoted::no) total = buf.size();  // jumbo / GSO
        ip.claimed_len = total;
        ip.packet = buf.first(std::min(total, buf.size()));
        skip_ipv6_extensions(ip, buf[6]);
        return ip;
    }
    ip.anomaly = PacketAnomaly::bad_ip_version;
    return ip;
}

void copy_addresses(const IpLayer& ip, uint8_t* src, uint8_t* dst) {
    const size_t at = ip.version == 4 ? 12 : 8;
    const size_t len = ip.version == 4 ? 4 : 16;
    std::copy_n(ip.packet.data() + at, len, src);
    std::copy_n(ip.packet.data() + at + len, len, dst);
}

}  // namespace

std::string_view packet_anomaly_name(PacketAnomaly a) {
    switch (a) {
        case PacketAnomaly::none:
            return "none";
        case PacketAnomaly::too_short:
            return "too_short";
        case PacketAnomaly::bad_ip_version:
            return "bad_ip_version";
        case PacketAnomaly::bad_ip_header_length:
            return "bad_ip_header_length";
        case PacketAnomaly::bad_total_length:
            return "bad_total_length";
        case PacketAnomaly::not_tcp:
            return "not_tcp";
        case PacketAnomaly::bad_tcp_offset:
            return "bad_tcp_offset";
        case PacketAnomaly::fragment:
            return "fragment";
    }
    return "unknown";
}

std::string TcpPacket::src_string() const {
    return address_string(ip_version, src);
}
std::string TcpPacket::dst_string() const {
    return address_string(ip_version, dst);
}

PacketParse decode_tcp_packet(std::span<const uint8_t> ip_packet) {
    PacketParse result;
    const IpLayer ip = decode_ip(ip_packet, Quoted::no);
    if (ip.anomaly != PacketAnomaly::none) {
        result.anomaly = ip.anomaly;
        return result;
    }
    if (ip.protocol != k_proto_tcp) {
        result.anomaly = PacketAnomaly::not_tcp;
        return result;
    }
    const auto& b = ip.packet;
    if (b.size() - ip.header_len < k_tcp_min_header) {
        result.anomaly = PacketAnomaly::too_short;
        return result;
    }
    const size_t tcp = ip.header_len;
    const size_t tcp_len = static_cast<size_t>(b[tcp + 12] >> 4) * 4;
    if (tcp_len < k_tcp_min_header || tcp_len > ip.claimed_len - ip.header_len) {
        result.anomaly = PacketAnomaly::bad_tcp_offset;
        return result;
    }
    if (tcp_len > b.size() - tcp) {
        result.anomaly = PacketAnomaly::too_short;
        return result;
    }
    TcpPacket p;
    p.ip_version = ip.version;
    copy_addresses(ip, p.src, p.dst);
    if (ip.version == 4) {
        p.ttl = b[8];
        p.ip_id = be16(b, 4);
        p.df = (b[6] & 0x40) != 0;
    } else {
        p.ttl = b[7];
    }
    p.src_port = be16(b, tcp);
    p.dst_port = be16(b, tcp + 2);
    p.seq = be32(b, tcp + 4);
    p.ack = be32(b, tcp + 8);
    p.flags = b[tcp + 13];
    p.window = be16(b, tcp + 14);
    p.tcp_header_len = static_cast<uint8_t>(tcp_len);
    p.ip_header_len = ip.header_len;
    p.payload = b.subspan(tcp + tcp_len);
    p.wire_payload_len = ip.claimed_len - ip.header_len - tcp_len;
    result.packet = p;
    return result;
}

std::optional<IcmpError> decode_icmp_error(std::span<const uint8_t> ip_packet) {
    const IpLayer ip = decode_ip(ip_packet, Quoted::no);
    if (ip.anomaly != PacketAnomaly::none) return std::nullopt;
    const bool v4 = ip.version == 4;
    if (ip.protocol != (v4 ? k_proto_icmp : k_proto_icmpv6)) return std::nullopt;
    const auto icmp = ip.packet.subspan(ip.header_len);
    if (icmp.size() < k_icmp_header) return std::nullopt;
    IcmpError e;
    e.ip_version = ip.version;
    e.type = icmp[0];
    e.code = icmp[1];
    // v4: 3 unreachable, 11 time exceeded; v6: 1 unreachable, 2 packet too big, 3 time exceeded.
    const bool is_error = v4 ? (e.type == 3 || e.type == 11) : (e.type >= 1 && e.type <= 3);
    if (!is_error) return std::nullopt;
    if (v4 && e.type == 3 && e.code == 4) e.mtu = be16(icmp, 6);
    if (!v4 && e.type == 2) e.mtu = be32(icmp, 4);

    const IpLayer quoted = decode_ip(icmp.subspan(k_icmp_header), Quoted::yes);
    if (quoted.anomaly != PacketAnomaly::none || quoted.version != ip.version) return std::nullopt;
    if (quoted.protocol != k_proto_tcp) return std::nullopt;
    const auto tcp = quoted.packet.subspan(quoted.header_len);
    if (tcp.size() < 4) return std::nullopt;  // RFC 792 guarantees 8 bytes: ports + seq
    e.quoted_src_port = be16(tcp, 0);
    e.quoted_dst_port = be16(tcp, 2);
    if (tcp.size() >= 8) e.quoted_seq = be32(tcp, 4);

    uint8_t from[16] = {}, quoted_src[16] = {}, quoted_dst[16] = {};
    uint8_t unused[16] = {};
    copy_addresses(ip, from, unused);
    copy_addresses(quoted, quoted_src, quoted_dst);
    e.from = address_string(ip.version, from);
    e.quoted_src = address_string(ip.version, quoted_src);
    e.quoted_dst = address_string(ip.version, quoted_dst);
    if (v4) {
        e.quoted_ip_id = be16(quoted.packet, 4);
        e.quoted_ttl = quoted.packet[8];
    } else {
        e.quoted_ttl = quoted.packet[7];
    }
    return e;
}

}  // namespace sniprobe::wire
