// Link-layer framing of captured packets: strips the Ethernet / Linux cooked (SLL,
// SLL2) / raw-IP header that libpcap hands us and returns the IP packet inside.
// Quirk: on the "any" pseudo-interface every frame is a cooked header, and on the
// loopback device each packet is seen twice (once outgoing, once incoming), so the
// decoder reports the cooked packet type to let callers drop the echo. Frames come
// from the network: every length is checked, a bad frame is a named anomaly.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sniprobe::capture {

// Link types (pcap DLT_* values) this decoder understands.
namespace link_type {
inline constexpr int ethernet = 1;        // DLT_EN10MB
inline constexpr int raw = 12;            // DLT_RAW on Linux
inline constexpr int raw_linktype = 101;  // LINKTYPE_RAW as stored in files
inline constexpr int linux_sll = 113;     // DLT_LINUX_SLL
inline constexpr int ipv4 = 228;          // DLT_IPV4
inline constexpr int ipv6 = 229;          // DLT_IPV6
inline constexpr int linux_sll2 = 276;    // DLT_LINUX_SLL2
}  // namespace link_type

// Why a frame yielded no IP packet.
enum class FrameAnomaly {
    none,
    unsupported_link_type,  // a DLT we do not decode
    truncated_link_header,  // shorter than its link header
    not_ip,                 // ethertype / protocol is not IPv4 or IPv6
    loopback_echo,          // the outgoing copy of a loopback packet (seen again inbound)
};

// Stable name of a frame anomaly ("truncated_link_header").
std::string_view frame_anomaly_name(FrameAnomaly a);

// The IP packet inside a frame, or why there is none.
struct LinkFrame {
    FrameAnomaly anomaly = FrameAnomaly::none;
    std::span<const uint8_t> ip_packet;  // view into the frame; empty on anomaly
};

// Strips the link header of one frame of link type `dlt`.
LinkFrame decode_link_frame(int dlt, std::span<const uint8_t> frame);

}  // namespace sniprobe::capture
