// ICMP error decoding as `trace` and capture see it: a router's time-exceeded or
// unreachable quoting the first bytes of our TTL-limited probe. The quotes are built
// here from the packet builder's probe, cut to 8 TCP bytes as RFC 792 routers send.
#include <gtest/gtest.h>

#include <vector>

#include "wire/packet.hpp"
#include "wire/packet_builder.hpp"

namespace sniprobe::wire {
namespace {

TcpSpec probe_spec(int version) {
    TcpSpec spec;
    spec.src = parse_ip_address(version == 4 ? "10.77.1.2" : "fd77:1::2")->bytes;
    spec.dst = parse_ip_address(version == 4 ? "10.77.3.2" : "fd77:3::2")->bytes;
    spec.src_port = 41234;
    spec.dst_port = 443;
    spec.seq = 0xdeadbeef;
    spec.flags = 0x18;
    spec.ttl = 1;
    spec.ip_id = 4242;
    spec.payload.assign(300, 0x16);
    return spec;
}

// An ICMP error from `router` quoting `quote_bytes` of `probe`.
std::vector<uint8_t> icmp_error(int version, const char* router, uint8_t type, uint8_t code,
                                const std::vector<uint8_t>& probe, size_t quote_bytes,
                                uint32_t word = 0) {
    std::vector<uint8_t> icmp = {type,
                                 code,
                                 0,
                                 0,
                                 static_cast<uint8_t>(word >> 24),
                                 static_cast<uint8_t>(word >> 16),
                                 static_cast<uint8_t>(word >> 8),
                                 static_cast<uint8_t>(word)};
    icmp.insert(icmp.end(), probe.begin(), probe.begin() + static_cast<long>(quote_bytes));
    // Reuse the builder for the outer header, then rewrite protocol and payload.
    TcpSpec outer;
    outer.src = parse_ip_address(router)->bytes;
    outer.dst = parse_ip_address(version == 4 ? "10.77.1.2" : "fd77:1::2")->bytes;
    auto packet = version == 4 ? build_tcp_ipv4(outer) : build_tcp_ipv6(outer);
    const size_t ip_len = version == 4 ? 20 : 40;
    packet.resize(ip_len);
    packet.insert(packet.end(), icmp.begin(), icmp.end());
    if (version == 4) {
        packet[9] = 1;
        packet[2] = static_cast<uint8_t>(packet.size() >> 8);
        packet[3] = static_cast<uint8_t>(packet.size());
    } else {
        packet[6] = 58;
        packet[4] = static_cast<uint8_t>(icmp.size() >> 8);
        packet[5] = static_cast<uint8_t>(icmp.size());
    }
    return packet;
}

TEST(IcmpError, TimeExceededQuotingOurProbe) {
    const auto probe = build_tcp_ipv4(probe_spec(4));
    const auto e = decode_icmp_error(icmp_error(4, "10.77.2.1", 11, 0, probe, 28));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->ip_version, 4);
    EXPECT_EQ(e->from, "10.77.2.1");
    EXPECT_EQ(e->type, 11);
    EXPECT_EQ(e->code, 0);
    EXPECT_EQ(e->quoted_src_port, 41234);
    EXPECT_EQ(e->quoted_dst_port, 443);
    EXPECT_EQ(e->quoted_dst, "10.77.3.2");
    EXPECT_EQ(e->quoted_src, "10.77.1.2");
    EXPECT_EQ(e->quoted_seq, 0xdeadbeefu);
    EXPECT_EQ(e->quoted_ip_id, 4242);
    EXPECT_EQ(e->quoted_ttl, 1);
    EXPECT_FALSE(e->mtu);
}

TEST(IcmpError, FragmentationNeededCarriesTheMtu) {
    const auto probe = build_tcp_ipv4(probe_spec(4));
    const auto e = decode_icmp_error(icmp_error(4, "10.77.2.2", 3, 4, probe, 48, 1400));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->mtu, 1400u);
    EXPECT_EQ(e->quoted_dst_port, 443);
}

TEST(IcmpError, Ipv6TimeExceededAndPacketTooBig) {
    const auto probe = build_tcp_ipv6(probe_spec(6));
    auto e = decode_icmp_error(icmp_error(6, "fd77:2::1", 3, 0, probe, 48));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->from, "fd77:2::1");
    EXPECT_EQ(e->quoted_dst, "fd77:3::2");
    EXPECT_EQ(e->quoted_src_port, 41234);
    EXPECT_EQ(e->quoted_ttl, 1);
    e = decode_icmp_error(icmp_error(6, "fd77:2::1", 2, 0, probe, 48, 1280));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->mtu, 1280u);
}

TEST(IcmpError, RejectsWhatIsNotAnErrorAboutTcp) {
    const auto probe = build_tcp_ipv4(probe_spec(4));
    EXPECT_FALSE(decode_icmp_error(icmp_error(4, "10.77.2.1", 0, 0, probe, 28)));  // echo reply
    EXPECT_FALSE(
        decode_icmp_error(icmp_error(4, "10.77.2.1", 11, 0, probe, 23)));  // quote too short
    auto udp_probe = probe;
    udp_probe[9] = 17;
    EXPECT_FALSE(decode_icmp_error(icmp_error(4, "10.77.2.1", 11, 0, udp_probe, 28)));
    EXPECT_FALSE(decode_icmp_error(probe));  // TCP, not ICMP
    EXPECT_FALSE(decode_icmp_error({}));
    // A cut capture decodes once the quoted ports are in (20 + 8 + 20 + 4 bytes), and
    // never reads past the buffer before that (ASan build).
    const auto good = icmp_error(4, "10.77.2.1", 11, 0, probe, 28);
    for (size_t n = 0; n < good.size(); ++n) {
        std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));
        const auto e = decode_icmp_error(cut);
        EXPECT_EQ(e.has_value(), n >= 52) << n;
        if (e) {
            EXPECT_EQ(e->quoted_src_port, 41234);
            EXPECT_EQ(e->quoted_seq.has_value(), n >= 56);
        }
    }
}

}  // namespace
}  // namespace sniprobe::wire
