// Link-header stripping: each supported link type yields the IP packet, short or
// foreign frames become named anomalies, and loopback's outgoing copy is flagged.
#include "capture/link_frame.hpp"

#include <gtest/gtest.h>

#include "frames.hpp"

namespace sniprobe::capture {
namespace {

using test::Ipv4Tcp;

TEST(LinkFrame, StripsEveryLinuxLinkType) {
    auto ip = test::ipv4_tcp(Ipv4Tcp{});
    for (auto [dlt, frame] :
         {std::pair{link_type::ethernet, test::ethernet(ip)},
          std::pair{link_type::linux_sll, test::sll(ip)},
          std::pair{link_type::linux_sll2, test::sll2(ip)}, std::pair{link_type::raw, ip},
          std::pair{link_type::raw_linktype, ip}}) {
        LinkFrame out = decode_link_frame(dlt, frame);
        ASSERT_EQ(out.anomaly, FrameAnomaly::none) << "dlt " << dlt;
        EXPECT_EQ(out.ip_packet.size(), ip.size()) << "dlt " << dlt;
        EXPECT_EQ(out.ip_packet[0], 0x45) << "dlt " << dlt;
    }
}

TEST(LinkFrame, SkipsVlanTags) {
    auto ip = test::ipv4_tcp(Ipv4Tcp{});
    auto frame = test::ethernet(ip);
    std::vector<uint8_t> tag = {0x81, 0x00, 0x00, 0x05};
    frame.insert(frame.begin() + 12, tag.begin(), tag.end());
    LinkFrame out = decode_link_frame(link_type::ethernet, frame);
    ASSERT_EQ(out.anomaly, FrameAnomaly::none);
    EXPECT_EQ(out.ip_packet.size(), ip.size());
}

TEST(LinkFrame, NamesBadFrames) {
    std::vector<uint8_t> short_frame(10, 0);
    EXPECT_EQ(decode_link_frame(link_type::ethernet, short_frame).anomaly,
              FrameAnomaly::truncated_link_header);
    EXPECT_EQ(decode_link_frame(link_type::linux_sll, short_frame).anomaly,
              FrameAnomaly::truncated_link_header);
    EXPECT_EQ(decode_link_frame(link_type::linux_sll2, short_frame).anomaly,
              FrameAnomaly::truncated_link_header);
    EXPECT_EQ(decode_link_frame(link_type::raw, {}).anomaly, FrameAnomaly::truncated_link_header);
    EXPECT_EQ(decode_link_frame(9999, short_frame).anomaly, FrameAnomaly::unsupported_link_type);
    auto arp = test::ethernet(test::ipv4_tcp(Ipv4Tcp{}));
    arp[12] = 0x08;
    arp[13] = 0x06;
    EXPECT_EQ(decode_link_frame(link_type::ethernet, arp).anomaly, FrameAnomaly::not_ip);
    EXPECT_EQ(frame_anomaly_name(FrameAnomaly::not_ip), "not_ip");
}

TEST(LinkFrame, FlagsOnlyTheOutgoingLoopbackCopy) {
    auto ip = test::ipv4_tcp(Ipv4Tcp{});
    EXPECT_EQ(decode_link_frame(link_type::linux_sll, test::sll(ip, 4, 772)).anomaly,
              FrameAnomaly::loopback_echo);
    EXPECT_EQ(decode_link_frame(link_type::linux_sll2, test::sll2(ip, 4, 772)).anomaly,
              FrameAnomaly::loopback_echo);
    EXPECT_EQ(decode_link_frame(link_type::linux_sll, test::sll(ip, 0, 772)).anomaly,
              FrameAnomaly::none);
    // Outgoing on a real interface is the only copy: keep it.
    EXPECT_EQ(decode_link_frame(link_type::linux_sll, test::sll(ip, 4, 1)).anomaly,
              FrameAnomaly::none);
}

}  // namespace
}  // namespace sniprobe::capture
