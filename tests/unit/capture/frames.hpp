// Hand-built frames for the capture tests: IPv4+TCP packets with chosen header fields,
// wrapped in Ethernet or Linux cooked headers. Checksums are left zero: the decoder
// under test does not verify them (the kernel already did, or the frame is outbound).
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sniprobe::capture::test {

struct Ipv4Tcp {
    std::string src = "10.0.0.1", dst = "10.0.0.2";
    uint16_t src_port = 40000, dst_port = 443;
    uint32_t seq = 1000, ack = 0;
    uint8_t flags = 0x02;
    uint8_t ttl = 64;
    uint16_t ip_id = 0;
    bool df = true;
    uint16_t window = 64240;
    std::vector<uint8_t> payload;
};

inline void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
}
inline void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    put16(b, at, static_cast<uint16_t>(v >> 16));
    put16(b, at + 2, static_cast<uint16_t>(v));
}

inline std::vector<uint8_t> ipv4_tcp(const Ipv4Tcp& s) {
    std::vector<uint8_t> b(40 + s.payload.size(), 0);
    b[0] = 0x45;
    put16(b, 2, static_cast<uint16_t>(b.size()));
    put16(b, 4, s.ip_id);
    put16(b, 6, s.df ? 0x4000 : 0);
    b[8] = s.ttl;
    b[9] = 6;
    inet_pton(AF_INET, s.src.c_str(), b.data() + 12);
    inet_pton(AF_INET, s.dst.c_str(), b.data() + 16);
    put16(b, 20, s.src_port);
    put16(b, 22, s.dst_port);
    put32(b, 24, s.seq);
    put32(b, 28, s.ack);
    b[32] = 5 << 4;
    b[33] = s.flags;
    put16(b, 34, s.window);
    std::copy(s.payload.begin(), s.payload.end(), b.begin() + 40);
    return b;
}

inline std::vector<uint8_t> ethernet(const std::vector<uint8_t>& ip) {
    std::vector<uint8_t> f(14, 0);
    f[12] = 0x08;
    f.insert(f.end(), ip.begin(), ip.end());
    return f;
}

// Linux cooked v1: packet type 0 = to us, 4 = outgoing; hatype 1 = Ethernet, 772 = loopback.
inline std::vector<uint8_t> sll(const std::vector<uint8_t>& ip, uint16_t packet_type = 0,
                                uint16_t hatype = 1) {
    std::vector<uint8_t> f(16, 0);
    put16(f, 0, packet_type);
    put16(f, 2, hatype);
    put16(f, 14, 0x0800);
    f.insert(f.end(), ip.begin(), ip.end());
    return f;
}

// Linux cooked v2.
inline std::vector<uint8_t> sll2(const std::vector<uint8_t>& ip, uint8_t packet_type = 0,
                                 uint16_t hatype = 1) {
    std::vector<uint8_t> f(20, 0);
    put16(f, 0, 0x0800);
    put16(f, 8, hatype);
    f[10] = packet_type;
    f.insert(f.end(), ip.begin(), ip.end());
    return f;
}

}  // namespace sniprobe::capture::test
