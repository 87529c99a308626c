// Link-header stripping for Ethernet (with 802.1Q/802.1ad tags), Linux cooked v1/v2 and
// raw IP frames. The cooked headers carry the packet type (host, outgoing, ...) and the
// ARPHRD type of the device; an outgoing frame on an ARPHRD_LOOPBACK device is the
// first of the two copies loopback produces, so it is reported as `loopback_echo`.
#include "capture/link_frame.hpp"
#include "wire/big_endian.hpp"

namespace sniprobe::capture {

namespace {

constexpr uint16_t k_ethertype_ipv4 = 0x0800;
constexpr uint16_t k_ethertype_ipv6 = 0x86DD;
constexpr uint16_t k_ethertype_vlan = 0x8100;
constexpr uint16_t k_ethertype_qinq = 0x88A8;
constexpr uint16_t k_arphrd_loopback = 772;
constexpr uint8_t k_packet_outgoing = 4;
constexpr size_t k_ethernet_header_len = 14;
constexpr size_t k_vlan_tag_len = 4;
constexpr size_t k_sll_header_len = 16;
constexpr size_t k_sll2_header_len = 20;
constexpr int k_max_vlan_tags = 2;

LinkFrame ip_after(std::span<const uint8_t> frame, size_t offset, uint16_t ethertype) {
    if (ethertype != k_ethertype_ipv4 && ethertype != k_ethertype_ipv6)
        return {FrameAnomaly::not_ip, {}};
    return {FrameAnomaly::none, frame.subspan(offset)};
}

LinkFrame decode_ethernet(std::span<const uint8_t> frame) {
    if (frame.size() < k_ethernet_header_len) return {FrameAnomaly::truncated_link_header, {}};
    size_t offset = 12;
    uint16_t ethertype = wire::be16(frame, offset);
    for (int tags = 0;
         (ethertype == k_ethertype_vlan || ethertype == k_ethertype_qinq) && tags < k_max_vlan_tags;
         ++tags) {
        offset += k_vlan_tag_len;
        if (frame.size() < offset + 2) return {FrameAnomaly::truncated_link_header, {}};
        ethertype = wire::be16(frame, offset);
    }
    return ip_after(frame, offset + 2, ethertype);
}

LinkFrame decode_cooked(std::span<const uint8_t> frame, size_t header_len, uint8_t packet_type,
                        uint16_t arphrd, uint16_t protocol) {
    if (arphrd == k_arphrd_loopback && packet_type == k_packet_outgoing)
        return {FrameAnomaly::loopback_echo, {}};
    return ip_after(frame, header_len, protocol);
}

LinkFrame decode_raw(std::span<const uint8_t> frame) {
    if (frame.empty()) return {FrameAnomaly::truncated_link_header, {}};
    int version = frame[0] >> 4;
    if (version != 4 && version != 6) return {FrameAnomaly::not_ip, {}};
    return {FrameAnomaly::none, frame};
}

}  // namespace

std::string_view frame_anomaly_name(FrameAnomaly a) {
    switch (a) {
        case FrameAnomaly::none:
            return "none";
        case FrameAnomaly::unsupported_link_type:
            return "unsupported_link_type";
        case FrameAnomaly::truncated_link_header:
            return "truncated_link_header";
        case FrameAnomaly::not_ip:
            return "not_ip";
        case FrameAnomaly::loopback_echo:
            return "loopback_echo";
    }
    return "unknown";
}

LinkFrame decode_link_frame(int dlt, std::span<const uint8_t> frame) {
    switch (dlt) {
        case link_type::ethernet:
            return decode_ethernet(frame);
        case link_type::linux_sll:
            // pkttype(2) hatype(2) halen(2) addr(8) protocol(2)
            if (frame.size() < k_sll_header_len) return {FrameAnomaly::truncated_link_header, {}};
            return decode_cooked(frame, k_sll_header_len,
                                 static_cast<uint8_t>(wire::be16(frame, 0)), wire::be16(frame, 2),
                                 wire::be16(frame, 14));
        case link_type::linux_sll2:
            // protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
            if (frame.size() < k_sll2_header_len) return {FrameAnomaly::truncated_link_header, {}};
            return decode_cooked(frame, k_sll2_header_len, frame[10], wire::be16(frame, 8),
                                 wire::be16(frame, 0));
        case link_type::raw:
        case link_type::raw_linktype:
        case 14:  // DLT_RAW on OpenBSD, seen in files written there
        case link_type::ipv4:
        case link_type::ipv6:
            return decode_raw(frame);
        default:
            return {FrameAnomaly::unsupported_link_type, {}};
    }
}

}  // namespace sniprobe::capture
