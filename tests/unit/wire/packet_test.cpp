// Packet builder and decoder: the builder's bytes equal known packets whose checksums
// tshark 4.0 validated (a Henan-style RST+ACK with TTL 53, IP ID 31415 and the 10-byte
// 01..09 00 payload, over IPv4 and IPv6), the RFC 1071 sum matches the classic
// Wikipedia IPv4 header example, decode(build(x)) round-trips, and every lie a header
// can tell is a named anomaly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wire/packet.hpp"
#include "wire/packet_builder.hpp"

namespace sniprobe::wire {
namespace {

std::vector<uint8_t> from_hex(const std::string& hex) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// Checked by `tshark -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE`: both good.
const std::string k_known_rst_v4 =
    "450000327ab700003506f2710a4d03020a4d010201bb9c40112233445566778850140000cec4000001020304050607"
    "080900";
const std::string k_known_rst_v6 =
    "60000000001e0635fd770003000000000000000000000002fd77000100000000000000000000000201bb9c40112233"
    "44"
    "5566778850140000ec6a000001020304050607080900";

TcpSpec henan_rst(int version) {
    TcpSpec spec;
    spec.src = parse_ip_address(version == 4 ? "10.77.3.2" : "fd77:3::2")->bytes;
    spec.dst = parse_ip_address(version == 4 ? "10.77.1.2" : "fd77:1::2")->bytes;
    spec.src_port = 443;
    spec.dst_port = 40000;
    spec.seq = 0x11223344;
    spec.ack = 0x55667788;
    spec.flags = 0x14;  // RST+ACK
    spec.window = 0;
    spec.ttl = 53;
    spec.ip_id = 31415;
    spec.payload = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
    return spec;
}

TEST(PacketBuilder, MatchesKnownPackets) {
    EXPECT_EQ(build_tcp_ipv4(henan_rst(4)), from_hex(k_known_rst_v4));
    EXPECT_EQ(build_tcp_ipv6(henan_rst(6)), from_hex(k_known_rst_v6));
    EXPECT_TRUE(tcp_checksums_ok(from_hex(k_known_rst_v4)));
    EXPECT_TRUE(tcp_checksums_ok(from_hex(k_known_rst_v6)));
}

TEST(PacketBuilder, Rfc1071SumOfTheClassicHeader) {
    // en.wikipedia.org "Internet checksum" example: checksum b861.
    auto header = from_hex("450000730000400040110000c0a80001c0a800c7");
    EXPECT_EQ(static_cast<uint16_t>(~ones_complement_sum(header)), 0xb861);
    header[10] = 0xb8;
    header[11] = 0x61;
    EXPECT_EQ(ones_complement_sum(header), 0xffff);
    EXPECT_EQ(ones_complement_sum(from_hex("01")), 0x0100);  // odd length pads with zero
}

TEST(PacketBuilder, AnyFlippedBitBreaksAChecksum) {
    const auto good = build_tcp_ipv4(henan_rst(4));
    for (size_t i = 0; i < good.size(); ++i) {
        if (i == 0 || i == 2 || i == 3 || i == 9 || i == 32)
            continue;  // fields that change the decode
        auto bad = good;
        bad[i] ^= 0x10;
        EXPECT_FALSE(tcp_checksums_ok(bad)) << "byte " << i;
    }
}

TEST(PacketDecoder, RoundTripsTheBuilder) {
    for (int version : {4, 6}) {
        TcpSpec spec = henan_rst(version);
        spec.df = true;
        spec.flags = 0x18;
        spec.window = 502;
        spec.payload.assign(1000, 0x5a);
        const auto bytes = version == 4 ? build_tcp_ipv4(spec) : build_tcp_ipv6(spec);
        EXPECT_TRUE(tcp_checksums_ok(bytes));
        const PacketParse parsed = decode_tcp_packet(bytes);
        ASSERT_EQ(parsed.anomaly, PacketAnomaly::none) << packet_anomaly_name(parsed.anomaly);
        const TcpPacket& p = *parsed.packet;
        EXPECT_EQ(p.ip_version, version);
        EXPECT_EQ(p.src_string(), version == 4 ? "10.77.3.2" : "fd77:3::2");
        EXPECT_EQ(p.dst_string(), version == 4 ? "10.77.1.2" : "fd77:1::2");
        EXPECT_EQ(p.ttl, 53);
        EXPECT_EQ(p.ip_id, version == 4 ? 31415 : 0);
        EXPECT_EQ(p.df, version == 4);
        EXPECT_EQ(p.src_port, 443);
        EXPECT_EQ(p.dst_port, 40000);
        EXPECT_EQ(p.seq, 0x11223344u);
        EXPECT_EQ(p.ack, 0x55667788u);
        EXPECT_EQ(p.flags, 0x18);
        EXPECT_EQ(p.window, 502);
        EXPECT_EQ(p.tcp_header_len, 20);
        EXPECT_EQ(p.ip_header_len, version == 4 ? 20u : 40u);
        EXPECT_EQ(std::vector<uint8_t>(p.payload.begin(), p.payload.end()), spec.payload);
        EXPECT_EQ(p.wire_payload_len, 1000u);
    }
}

TEST(PacketDecoder, EthernetPaddingIsNotPayload) {
    auto bytes = build_tcp_ipv4(henan_rst(4));
    bytes.resize(bytes.size() + 6, 0);
    const auto p = decode_tcp_packet(bytes).packet;
    ASSERT_TRUE(p);
    EXPECT_EQ(p->payload.size(), 10u);
    EXPECT_TRUE(tcp_checksums_ok(bytes));
}

TEST(PacketDecoder, SnaplenCutKeepsHeadersAndTrueLength) {
    TcpSpec spec = henan_rst(4);
    spec.payload.assign(1400, 1);
    auto bytes = build_tcp_ipv4(spec);
    bytes.resize(96);
    const auto p = decode_tcp_packet(bytes).packet;
    ASSERT_TRUE(p);
    EXPECT_EQ(p->payload.size(), 56u);
    EXPECT_EQ(p->wire_payload_len, 1400u);
    EXPECT_FALSE(tcp_checksums_ok(bytes));
}

TEST(PacketDecoder, TsoSuperSegmentWithZeroTotalLength) {
    TcpSpec spec = henan_rst(4);
    spec.payload.assign(3000, 7);
    auto bytes = build_tcp_ipv4(spec);
    bytes[2] = bytes[3] = 0;
    const auto p = decode_tcp_packet(bytes).packet;
    ASSERT_TRUE(p);
    EXPECT_EQ(p->payload.size(), 3000u);
}

TEST(PacketDecoder, Ipv6ExtensionHeadersAreSkipped) {
    auto bytes = build_tcp_ipv6(henan_rst(6));
    // Insert an 8-byte hop-by-hop header (next header TCP) after the fixed header.
    const std::vector<uint8_t> hop_by_hop = {6, 0, 1, 4, 0, 0, 0, 0};
    bytes[6] = 0;
    bytes.insert(bytes.begin() + 40, hop_by_hop.begin(), hop_by_hop.end());
    bytes[5] = static_cast<uint8_t>(bytes[5] + 8);
    const PacketParse parsed = decode_tcp_packet(bytes);
    ASSERT_EQ(parsed.anomaly, PacketAnomaly::none) << packet_anomaly_name(parsed.anomaly);
    EXPECT_EQ(parsed.packet->ip_header_len, 48u);
    EXPECT_EQ(parsed.packet->src_port, 443);
    EXPECT_TRUE(tcp_checksums_ok(bytes));
}

TEST(PacketDecoder, NamesEveryLie) {
    const auto good = build_tcp_ipv4(henan_rst(4));
    auto check = [](std::vector<uint8_t> bytes, PacketAnomaly want) {
        const PacketParse p = decode_tcp_packet(bytes);
        EXPECT_EQ(p.anomaly, want)
            << packet_anomaly_name(p.anomaly) << " != " << packet_anomaly_name(want);
        EXPECT_FALSE(p.packet);
    };
    check({}, PacketAnomaly::too_short);
    check(std::vector<uint8_t>(good.begin(), good.begin() + 30), PacketAnomaly::too_short);
    auto t = good;
    t[0] = 0x55;
    check(t, PacketAnomaly::bad_ip_version);
    t = good;
    t[0] = 0x44;
    check(t, PacketAnomaly::bad_ip_header_length);
    t = good;
    t[0] = 0x4f;  // 60-byte header in a 50-byte packet
    check(t, PacketAnomaly::bad_ip_header_length);
    t = good;
    t[3] = 10;
    check(t, PacketAnomaly::bad_total_length);
    t = good;
    t[9] = 17;
    check(t, PacketAnomaly::not_tcp);
    t = good;
    t[7] = 0x10;  // fragment offset 16 x 8 bytes
    check(t, PacketAnomaly::fragment);
    t = good;
    t[32] = 0x40;  // TCP data offset 4 words
    check(t, PacketAnomaly::bad_tcp_offset);
    t = good;
    t[32] = 0xf0;  // 60-byte TCP header in a 30-byte segment
    check(t, PacketAnomaly::bad_tcp_offset);
    EXPECT_EQ(packet_anomaly_name(PacketAnomaly::fragment), "fragment");
}

TEST(IpAddress, ParsesBothFamilies) {
    EXPECT_EQ(parse_ip_address("10.77.1.2")->version, 4);
    EXPECT_EQ(parse_ip_address("fd77::2")->version, 6);
    EXPECT_EQ(parse_ip_address("10.77.1.2")->bytes[3], 2);
    EXPECT_FALSE(parse_ip_address("blocked.test"));
    EXPECT_FALSE(parse_ip_address("10.77.1.256"));
}

}  // namespace
}  // namespace sniprobe::wire
