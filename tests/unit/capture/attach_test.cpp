// attach_packets: frames go to the trial of their flow and start time, with direction,
// header fields and payload head converted; bad frames are counted by name.
#include "capture/attach.hpp"

#include <gtest/gtest.h>

#include "capture/link_frame.hpp"
#include "frames.hpp"

namespace sniprobe::capture {
namespace {

using test::Ipv4Tcp;

constexpr double k_run_start = 1'700'000'000.0;

CapturedPacket frame_at(double t, std::vector<uint8_t> frame, int dlt = link_type::linux_sll) {
    CapturedPacket p;
    p.ts_unix = k_run_start + t;
    p.link_type = dlt;
    p.frame = std::move(frame);
    p.wire_len = static_cast<uint32_t>(p.frame.size());
    return p;
}

Trial trial(int id, uint16_t local_port, double t0, std::string address = "10.0.0.2") {
    Trial t;
    t.id = id;
    t.address = std::move(address);
    t.port = 443;
    t.local_port = local_port;
    t.t0 = t0;
    t.t = t0 + 1;
    return t;
}

TEST(Attach, AssignsByFlowAndConvertsFields) {
    std::vector<Trial> trials = {trial(0, 40000, 0.0), trial(1, 40001, 0.0)};
    Ipv4Tcp syn;  // 10.0.0.1:40000 -> 10.0.0.2:443
    Ipv4Tcp rst;
    rst.src = "10.0.0.2";
    rst.dst = "10.0.0.1";
    rst.src_port = 443;
    rst.dst_port = 40001;
    rst.seq = 777;
    rst.ack = 5;
    rst.flags = 0x14;
    rst.ttl = 53;
    rst.ip_id = 0x0001;
    rst.df = false;
    rst.window = 0;
    rst.payload = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 11, 12, 13, 14, 15, 16, 17, 18};
    std::vector<CapturedPacket> packets = {frame_at(0.010, test::sll(test::ipv4_tcp(syn))),
                                           frame_at(0.020, test::sll(test::ipv4_tcp(rst)))};
    AttachStats stats = attach_packets(trials, packets, k_run_start);

    EXPECT_EQ(stats.attached, 2);
    EXPECT_TRUE(stats.anomalies.empty());
    ASSERT_EQ(trials[0].packets.size(), 1u);
    ASSERT_EQ(trials[1].packets.size(), 1u);
    EXPECT_TRUE(trials[0].captured);
    EXPECT_EQ(trials[0].packets[0].direction, Direction::outbound);
    EXPECT_EQ(trials[0].packets[0].flags, tcp_flag::syn);
    const PacketRecord& r = trials[1].packets[0];
    EXPECT_EQ(r.direction, Direction::inbound);
    EXPECT_NEAR(r.t, 0.020, 1e-6);
    EXPECT_EQ(r.flags, tcp_flag::rst | tcp_flag::ack);
    EXPECT_EQ(r.seq, 777u);
    EXPECT_EQ(r.ack, 5u);
    EXPECT_EQ(r.ttl, 53);
    EXPECT_EQ(r.ip_id, 1);
    EXPECT_FALSE(r.df);
    EXPECT_EQ(r.payload_len, 18);
    EXPECT_EQ(r.tcp_header_len, 20);
    ASSERT_EQ(r.payload_head.size(), 16u);
    EXPECT_EQ(r.payload_head[9], 0);
}

TEST(Attach, ReusedSourcePortGoesToTheLaterTrial) {
    std::vector<Trial> trials = {trial(0, 40000, 0.0), trial(1, 40000, 5.0)};
    Ipv4Tcp syn;
    attach_packets(trials,
                   {frame_at(0.1, test::sll(test::ipv4_tcp(syn))),
                    frame_at(5.1, test::sll(test::ipv4_tcp(syn)))},
                   k_run_start);
    ASSERT_EQ(trials[0].packets.size(), 1u);
    ASSERT_EQ(trials[1].packets.size(), 1u);
    EXPECT_NEAR(trials[1].packets[0].t, 5.1, 1e-6);
}

// Aborted sockets free their port at once: the next trial may reuse it within ms, and
// the earlier connection's injected RSTs must stay with the earlier trial.
TEST(Attach, ReusedPortWithinTheSlackKeepsTheEarlierTrialsResets) {
    std::vector<Trial> trials = {trial(0, 40000, 0.0), trial(1, 40000, 0.080)};
    trials[0].t = 0.075;
    Ipv4Tcp rst;
    rst.src = "10.0.0.2";
    rst.dst = "10.0.0.1";
    rst.src_port = 443;
    rst.dst_port = 40000;
    rst.flags = 0x14;
    Ipv4Tcp syn;  // the later trial's SYN, stamped a hair before its t0
    attach_packets(trials,
                   {frame_at(0.050, test::sll(test::ipv4_tcp(rst))),
                    frame_at(0.0799, test::sll(test::ipv4_tcp(syn)))},
                   k_run_start);
    ASSERT_EQ(trials[0].packets.size(), 1u);
    EXPECT_EQ(trials[0].packets[0].flags, tcp_flag::rst | tcp_flag::ack);
    ASSERT_EQ(trials[1].packets.size(), 1u);
    EXPECT_EQ(trials[1].packets[0].flags, tcp_flag::syn);
}

TEST(Attach, SortsPacketsAndSkipsLoopbackEchoes) {
    std::vector<Trial> trials = {trial(0, 40000, 0.0, "127.0.0.1")};
    Ipv4Tcp syn;
    syn.src = syn.dst = "127.0.0.1";
    Ipv4Tcp ack = syn;
    ack.flags = tcp_flag::ack;
    auto frames = std::vector<CapturedPacket>{
        frame_at(0.3, test::sll(test::ipv4_tcp(ack), 0, 772)),
        frame_at(0.1, test::sll(test::ipv4_tcp(syn), 4, 772)),
        frame_at(0.1, test::sll(test::ipv4_tcp(syn), 0, 772)),
    };
    AttachStats stats = attach_packets(trials, frames, k_run_start);
    EXPECT_EQ(stats.loopback_echoes, 1);
    ASSERT_EQ(trials[0].packets.size(), 2u);
    EXPECT_EQ(trials[0].packets[0].flags, tcp_flag::syn);
    EXPECT_EQ(trials[0].packets[1].flags, tcp_flag::ack);
}

TEST(Attach, CountsMalformedAndForeignFrames) {
    std::vector<Trial> trials = {trial(0, 40000, 0.0)};
    auto bad_offset = test::ipv4_tcp(Ipv4Tcp{});
    bad_offset[32] = 0x20;  // data offset 2 words < 5
    auto other_flow = Ipv4Tcp{};
    other_flow.src_port = 50000;
    std::vector<CapturedPacket> frames = {
        frame_at(0.1, {1, 2, 3}),
        frame_at(0.1, test::sll(bad_offset)),
        frame_at(0.1, test::sll(test::ipv4_tcp(other_flow))),
        frame_at(0.1, test::sll(test::ipv4_tcp(Ipv4Tcp{})), 4242),
    };
    AttachStats stats = attach_packets(trials, frames, k_run_start);
    EXPECT_EQ(stats.attached, 0);
    EXPECT_EQ(stats.unmatched, 1);
    EXPECT_EQ(stats.anomalies["truncated_link_header"], 1);
    EXPECT_EQ(stats.anomalies["ip_tcp_bad_tcp_offset"], 1);
    EXPECT_EQ(stats.anomalies["unsupported_link_type"], 1);
    EXPECT_TRUE(trials[0].packets.empty());
    EXPECT_TRUE(trials[0].captured);
    EXPECT_EQ(stats.anomaly_lines().size(), 3u);
}

}  // namespace
}  // namespace sniprobe::capture
