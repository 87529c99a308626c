// IP protocol numbers and fixed header lengths, shared by the packet decoder and the
// packet builder so both agree on what a header without options is.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sniprobe::wire {

inline constexpr uint8_t k_proto_icmp = 1;
inline constexpr uint8_t k_proto_tcp = 6;
inline constexpr uint8_t k_proto_icmpv6 = 58;

inline constexpr size_t k_ipv4_min_header = 20;  // IPv4 header without options
inline constexpr size_t k_ipv6_header = 40;      // IPv6 fixed header, no extension headers
inline constexpr size_t k_tcp_min_header = 20;   // TCP header without options

}  // namespace sniprobe::wire
