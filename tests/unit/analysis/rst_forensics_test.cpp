// RST forensics from hand-built packets (one trait at a time) and from real captures
// (tests/data/pcap, recorded by record.sh): the server's own kernel reset must read as
// `server`, the router's forged resets as `injected` with the injector's name.
#include "analysis/rst_forensics.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "capture/attach.hpp"
#include "capture/capture_session.hpp"
#include "capture/link_frame.hpp"
#include "wire/packet.hpp"

namespace sniprobe {
namespace {

constexpr uint8_t k_syn = tcp_flag::syn;
constexpr uint8_t k_synack = tcp_flag::syn | tcp_flag::ack;
constexpr uint8_t k_ack = tcp_flag::ack;
constexpr uint8_t k_psh_ack = tcp_flag::psh | tcp_flag::ack;
constexpr uint8_t k_rst = tcp_flag::rst;
constexpr uint8_t k_rst_ack = tcp_flag::rst | tcp_flag::ack;
constexpr uint8_t k_fin_ack = tcp_flag::fin | tcp_flag::ack;

constexpr uint32_t k_client_isn = 1000;
constexpr uint32_t k_server_isn = 50000;
constexpr uint16_t k_hello_len = 517;

PacketRecord packet(double t, Direction d, uint8_t flags, uint32_t seq, uint8_t ttl, uint16_t ip_id,
                    bool df, uint16_t payload_len = 0) {
    PacketRecord p;
    p.t = t;
    p.direction = d;
    p.flags = flags;
    p.seq = seq;
    p.ttl = ttl;
    p.ip_id = ip_id;
    p.df = df;
    p.payload_len = payload_len;
    p.tcp_header_len = 20;
    return p;
}

// A handshake to a Linux server `server_ttl` away (SYN-ACK IP ID 0, DF) with a
// ClientHello sent at t0 + rtt, then nothing: tests append the RST/FIN.
Trial handshake(int id, uint8_t server_ttl, double rtt_s = 0.020) {
    Trial t;
    t.id = id;
    t.address = "192.0.2.10";
    t.port = 443;
    t.local_port = static_cast<uint16_t>(40000 + id);
    t.captured = true;
    t.packets = {
        packet(0.0, Direction::outbound, k_syn, k_client_isn, 64, 0x1111, true),
        packet(rtt_s, Direction::inbound, k_synack, k_server_isn, server_ttl, 0, true),
        packet(rtt_s + 0.0001, Direction::outbound, k_ack, k_client_isn + 1, 64, 0x1112, true),
        packet(rtt_s + 0.0002, Direction::outbound, k_psh_ack, k_client_isn + 1, 64, 0x1113, true,
               k_hello_len),
    };
    return t;
}

double hello_time(const Trial& t) {
    return t.packets[3].t;
}

TEST(RstForensics, ServersOwnKernelResetIsServer) {
    Trial t = handshake(0, 50);
    t.packets.push_back(
        packet(hello_time(t) + 0.021, Direction::inbound, k_rst, k_server_isn + 1, 50, 0, true));
    auto findings = analyze_rsts({t});
    ASSERT_EQ(findings.size(), 1u);
    const RstFinding& f = findings[0];
    EXPECT_EQ(f.origin, RstOrigin::server);
    EXPECT_EQ(f.signature, RstSignatureId::server_stack);
    EXPECT_EQ(f.packet_index, 4);
    EXPECT_EQ(f.ip_id_pattern, IpIdPattern::zero);
    EXPECT_EQ(f.seq_relation, SeqRelation::exact);
    EXPECT_EQ(f.hop_difference, 0);
    EXPECT_EQ(f.server_synack_ttl, 50);
    ASSERT_TRUE(f.rtt_ms && f.delay_ms);
    EXPECT_NEAR(*f.rtt_ms, 20.0, 0.01);
    EXPECT_NEAR(*f.delay_ms, 21.0, 0.01);
    EXPECT_NE(
        std::find(f.reasons.begin(), f.reasons.end(), "TTL 50 equals the server's SYN-ACK TTL"),
        f.reasons.end());
}

TEST(RstForensics, CloserTtlIsInjectedWithHopCount) {
    Trial t = handshake(0, 50);
    t.packets.push_back(packet(hello_time(t) + 0.021, Direction::inbound, k_rst_ack,
                               k_server_isn + 1, 60, 0, false));
    auto findings = analyze_rsts({t});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].origin, RstOrigin::injected);
    EXPECT_EQ(findings[0].hop_difference, 10);
    EXPECT_EQ(findings[0].reasons.front(),
              "TTL 60 arrives with 10 fewer hops than the server's SYN-ACK (TTL 50)");
}

TEST(RstForensics, DifferentInitialTtlIsInjected) {
    Trial t = handshake(0, 50);
    t.packets.push_back(packet(hello_time(t) + 0.021, Direction::inbound, k_rst_ack,
                               k_server_isn + 1, 248, 0x9920, false));
    auto findings = analyze_rsts({t});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].origin, RstOrigin::injected);
    EXPECT_EQ(findings[0].signature, RstSignatureId::gfw_type_3);
    EXPECT_NE(findings[0].reasons.front().find("initial TTL of 255"), std::string::npos)
        << findings[0].reasons.front();
}

TEST(RstForensics, FasterThanTheMinimumRoundTripIsInjectedEvenWithTheServersTtl) {
    std::vector<Trial> trials = {handshake(0, 50, 0.040), handshake(1, 50, 0.045),
                                 handshake(2, 50, 0.041)};
    trials[0].packets.push_back(packet(hello_time(trials[0]) + 0.002, Direction::inbound, k_rst,
                                       k_server_isn + 1, 50, 0, true));
    auto findings = analyze_rsts(trials);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].origin, RstOrigin::injected);
    EXPECT_EQ(findings[0].reasons.size(), 1u);
    EXPECT_NE(findings[0].reasons[0].find(
                  "faster than the 40.0 ms minimum round trip to the server (3 connections)"),
              std::string::npos)
        << findings[0].reasons[0];
}

// A busy host inflates single RTT samples (seen in the lab: 0.03 ms paths reading 20 ms):
// neither one inflated sample nor too few samples may turn a server RST into an injection.
TEST(RstForensics, InflatedOrFewRttSamplesGiveNoTimingEvidence) {
    std::vector<Trial> trials = {handshake(0, 50, 0.020), handshake(1, 50, 0.0001),
                                 handshake(2, 50, 0.0001)};
    trials[0].packets.push_back(packet(hello_time(trials[0]) + 0.001, Direction::inbound, k_rst,
                                       k_server_isn + 1, 50, 0, true));
    EXPECT_EQ(analyze_rsts(trials)[0].origin, RstOrigin::server);
    trials.resize(2);
    trials[1] = handshake(1, 50, 0.030);
    EXPECT_EQ(analyze_rsts(trials)[0].origin, RstOrigin::server);
}

TEST(RstForensics, ServerResetAfterAnInjectedOneIsMarkedAftermath) {
    Trial t = handshake(0, 50);
    t.packets.push_back(packet(hello_time(t) + 0.010, Direction::inbound, k_rst_ack,
                               k_server_isn + 1, 53, 31415, false));
    t.packets.push_back(
        packet(hello_time(t) + 0.021, Direction::inbound, k_rst, k_server_isn + 1, 50, 0, true));
    auto findings = analyze_rsts({t});
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].origin, RstOrigin::injected);
    EXPECT_FALSE(findings[0].after_injected);
    EXPECT_EQ(findings[1].origin, RstOrigin::server);
    EXPECT_TRUE(findings[1].after_injected);
    EXPECT_NE(findings[1].reasons.back().find("follows an injected RST"), std::string::npos);
}

TEST(RstForensics, ServersAnswerInsideAnInjectedBurstIsNotPartOfIt) {
    // A type II burst (three identical RST+ACKs, TTL 47, one IP ID) and, 30 ms later, the
    // server's kernel resetting the connection the burst tore down (its own TTL 50): the
    // burst stays a burst of three, and the server's RST is a burst of one.
    Trial t = handshake(0, 50);
    for (int i = 0; i < 3; ++i) {
        PacketRecord rst = packet(hello_time(t) + 0.018 + 0.0001 * i, Direction::inbound, k_rst_ack,
                                  k_server_isn + 1, 47, 20011, true);
        t.packets.push_back(rst);
    }
    t.packets.push_back(
        packet(hello_time(t) + 0.048, Direction::inbound, k_rst, k_server_isn + 1, 50, 0, true));
    auto findings = analyze_rsts({t});
    ASSERT_EQ(findings.size(), 4u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(findings[i].origin, RstOrigin::injected);
        EXPECT_EQ(findings[i].burst_count, 3);
        EXPECT_EQ(findings[i].signature, RstSignatureId::gfw_type_2);
    }
    EXPECT_EQ(findings[3].origin, RstOrigin::server);
    EXPECT_EQ(findings[3].burst_count, 1);
    EXPECT_TRUE(findings[3].after_injected);
}

TEST(RstForensics, SubMillisecondRoundTripSaysNothingAboutTiming) {
    Trial t = handshake(0, 63, 0.0001);
    t.packets.push_back(
        packet(hello_time(t) + 0.00001, Direction::inbound, k_rst, k_server_isn + 1, 63, 0, true));
    EXPECT_EQ(analyze_rsts({t})[0].origin, RstOrigin::server);
}

TEST(RstForensics, WithoutSynAckTheOriginIsUnknown) {
    Trial t = handshake(0, 50);
    t.packets.erase(t.packets.begin() + 1);
    t.packets.push_back(packet(0.05, Direction::inbound, k_rst, 1, 50, 0, true));
    auto findings = analyze_rsts({t});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].origin, RstOrigin::unknown);
    EXPECT_EQ(findings[0].seq_relation, SeqRelation::unknown);
    EXPECT_FALSE(findings[0].hop_difference);
}

TEST(RstForensics, RefusedConnectionIsJudgedAgainstTheSameServersOtherSynAcks) {
    Trial ok = handshake(0, 50);
    Trial refused;
    refused.id = 1;
    refused.address = ok.address;
    refused.port = 443;
    refused.captured = true;
    refused.packets = {packet(1.0, Direction::outbound, k_syn, k_client_isn, 64, 0x2222, true),
                       packet(1.02, Direction::inbound, k_rst_ack, 0, 50, 0, true)};
    Trial forged = refused;
    forged.id = 2;
    forged.packets[1].ttl = 60;
    auto findings = analyze_rsts({ok, refused, forged});
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].trial_id, 1);
    EXPECT_EQ(findings[0].origin, RstOrigin::server);
    EXPECT_EQ(findings[0].seq_relation, SeqRelation::unknown);
    EXPECT_EQ(findings[0].reasons.front(),
              "TTL 50 equals the server's SYN-ACK TTL on other connections");
    EXPECT_EQ(findings[1].origin, RstOrigin::injected);
    EXPECT_EQ(findings[1].reasons.front(),
              "TTL 60 arrives with 10 fewer hops than the server's SYN-ACK (TTL 50) on other "
              "connections");

    Trial elsewhere = refused;  // another address: no baseline to borrow
    elsewhere.address = "192.0.2.99";
    EXPECT_EQ(analyze_rsts({ok, elsewhere})[0].origin, RstOrigin::unknown);
}

TEST(RstForensics, SameTtlButForeignIpIdIsNotClaimedEitherWay) {
    Trial t = handshake(0, 50);
    t.packets.push_back(packet(hello_time(t) + 0.021, Direction::inbound, k_rst, k_server_isn + 1,
                               50, 0x7b2c, true));
    auto findings = analyze_rsts({t});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].origin, RstOrigin::unknown);
    EXPECT_EQ(findings[0].ip_id_pattern, IpIdPattern::random);
    EXPECT_EQ(findings[0].signature, RstSignatureId::unknown);
}

TEST(RstForensics, AbortiveCloseContinuesTheServersIpIdSequence) {
    Trial t = handshake(0, 50);
    t.packets.push_back(packet(hello_time(t) + 0.020, Direction::inbound, k_ack, k_server_isn + 1,
                               50, 0x2000, true));
    t.packets.push_back(packet(hello_time(t) + 0.021, Direction::inbound, k_rst_ack,
                               k_server_isn + 1, 50, 0x2001, true));
    auto findings = analyze_rsts({t});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].ip_id_pattern, IpIdPattern::server_sequence);
    EXPECT_EQ(findings[0].origin, RstOrigin::server);
}

TEST(RstForensics, IpIdCopiedFromOursOrFixedAcrossTrials) {
    Trial copied = handshake(0, 50);
    copied.packets.push_back(packet(hello_time(copied) + 0.021, Direction::inbound, k_rst,
                                    k_server_isn + 1, 50, 0x1113, true));
    EXPECT_EQ(analyze_rsts({copied})[0].ip_id_pattern, IpIdPattern::copied);
    EXPECT_EQ(analyze_rsts({copied})[0].origin, RstOrigin::injected);

    std::vector<Trial> trials = {handshake(1, 50), handshake(2, 50)};
    for (auto& t : trials)
        t.packets.push_back(packet(hello_time(t) + 0.021, Direction::inbound, k_rst_ack,
                                   k_server_isn + 1, 102, 31415, false));
    auto findings = analyze_rsts(trials);
    ASSERT_EQ(findings.size(), 2u);
    for (const auto& f : findings) {
        EXPECT_EQ(f.ip_id_pattern, IpIdPattern::fixed);
        EXPECT_EQ(f.origin, RstOrigin::injected);
        EXPECT_EQ(f.signature, RstSignatureId::icp_filing);
    }
}

// A server whose IP IDs are random (its SYN-ACKs carry nonzero, unrelated IDs) resets 90
// connections itself: TTL, DF, window and sequence all match it. Two of the 90 IDs are
// equal, as 16 bits make likely (a birthday collision: about 6 % for 90 resets). That one
// coincidence must not call the two resets injected.
TEST(RstForensics, BirthdayCollisionOfIpIdsAmongManyServerResetsIsNotInjection) {
    uint32_t state = 0x2545F491u;  // a fixed LCG: the same 90 IDs on every run
    auto next_id = [&state] {
        state = state * 1664525u + 1013904223u;
        return static_cast<uint16_t>(1 + (state >> 16) % 65535);
    };
    std::vector<uint16_t> rst_ids;
    std::set<uint16_t> used;
    while (rst_ids.size() < 90) {
        uint16_t id = next_id();
        if (used.insert(id).second) rst_ids.push_back(id);
    }
    rst_ids[57] = rst_ids[12];  // the one collision
    std::vector<Trial> trials;
    for (int i = 0; i < 90; ++i) {
        Trial t = handshake(i, 50);
        t.packets[1].ip_id = next_id();
        t.packets.push_back(packet(hello_time(t) + 0.021, Direction::inbound, k_rst,
                                   k_server_isn + 1, 50, rst_ids[static_cast<size_t>(i)], true));
        trials.push_back(t);
    }
    auto findings = analyze_rsts(trials);
    ASSERT_EQ(findings.size(), 90u);
    int fixed = 0;
    for (const auto& f : findings) {
        EXPECT_NE(f.origin, RstOrigin::injected)
            << f.trial_id << ": " << fmt::format("{}", fmt::join(f.reasons, " | "));
        EXPECT_EQ(f.origin, RstOrigin::server)
            << f.trial_id << ": " << fmt::format("{}", fmt::join(f.reasons, " | "));
        if (f.ip_id_pattern == IpIdPattern::fixed) ++fixed;
    }
    EXPECT_EQ(fixed, 0);
}

// A repeat beyond chance still counts: the same ID on three of 90 resets (odds about
// 1 in 40,000 for random IDs) is a fixed ID, and with a foreign TTL the resets are injected.
TEST(RstForensics, IpIdRepeatedBeyondChanceIsFixed) {
    std::vector<Trial> trials;
    for (int i = 0; i < 90; ++i) {
        Trial t = handshake(i, 50);
        t.packets[1].ip_id = static_cast<uint16_t>(700 + 3 * i);
        const bool forged = i % 30 == 0;
        t.packets.push_back(packet(hello_time(t) + 0.021, Direction::inbound, k_rst,
                                   k_server_isn + 1, 50,
                                   forged ? 4242 : static_cast<uint16_t>(9000 + 7 * i), true));
        trials.push_back(t);
    }
    auto findings = analyze_rsts(trials);
    ASSERT_EQ(findings.size(), 90u);
    for (const auto& f : findings)
        EXPECT_EQ(f.ip_id_pattern == IpIdPattern::fixed, f.ip_id == 4242) << f.trial_id;
}

// A full match on the server's fingerprint (TTL, DF, window, exact sequence) is four facts;
// a repeated IP ID alone does not outvote them, even when the repeat is beyond chance.
TEST(RstForensics, IpIdRepeatChance) {
    EXPECT_DOUBLE_EQ(ip_id_repeat_chance(1, 90), 1.0);
    EXPECT_NEAR(ip_id_repeat_chance(2, 2), 1.0 / 65535, 1e-9);
    EXPECT_NEAR(ip_id_repeat_chance(2, 90), 4005.0 / 65535, 1e-6);  // the birthday bound
    EXPECT_LT(ip_id_repeat_chance(3, 90), 1e-4);
    EXPECT_LT(ip_id_repeat_chance(40, 40), 1e-100);
}

TEST(RstForensics, RepeatedIpIdNeverOutvotesAFullFingerprintMatch) {
    std::vector<Trial> trials;
    for (int i = 0; i < 3; ++i) {
        Trial t = handshake(i, 50);
        t.packets[1].ip_id = static_cast<uint16_t>(100 + i);
        t.packets.push_back(packet(hello_time(t) + 0.021, Direction::inbound, k_rst,
                                   k_server_isn + 1, 50, 4242, true));
        trials.push_back(t);
    }
    for (const auto& f : analyze_rsts(trials)) {
        EXPECT_EQ(f.ip_id_pattern, IpIdPattern::fixed);
        EXPECT_NE(f.origin, RstOrigin::injected) << fmt::format("{}", fmt::join(f.reasons, " | "));
    }
    // The same repeat with a foreign TTL is injected.
    for (auto& t : trials) t.packets.back().ttl = 58;
    for (const auto& f : analyze_rsts(trials)) EXPECT_EQ(f.origin, RstOrigin::injected);
}

// The seed lab's box (middlebox/profiles/seed.toml) forges the load balancer's reset of
// the ICP-filing report: IP ID 31415, DF clear, TTL 53 when sent, seen as 52 beside the
// server's 62. The TTL says where the prober stands, not who sent it: the fixed ID names it.
TEST(RstForensics, SeedLabResetIsNamedIcpFiling) {
    std::vector<Trial> trials = {handshake(0, 62), handshake(1, 62), handshake(2, 62)};
    for (auto& t : trials)
        t.packets.push_back(packet(hello_time(t) + 0.002, Direction::inbound, k_rst_ack,
                                   k_server_isn + 1, 52, 31415, false));
    for (const auto& f : analyze_rsts(trials)) {
        EXPECT_EQ(f.origin, RstOrigin::injected);
        EXPECT_EQ(f.signature, RstSignatureId::icp_filing);
    }
}

TEST(RstForensics, SequenceRelations) {
    auto relation_of = [](uint32_t offset) {
        Trial t = handshake(0, 50);
        t.packets.push_back(packet(hello_time(t) + 0.021, Direction::inbound, k_rst_ack,
                                   k_server_isn + 1 + offset, 55, 0, false));
        return analyze_rsts({t})[0];
    };
    EXPECT_EQ(relation_of(0).seq_relation, SeqRelation::exact);
    EXPECT_EQ(relation_of(1460).seq_relation, SeqRelation::plus_1460);
    EXPECT_EQ(relation_of(1460).signature, RstSignatureId::gfw_legacy);
    EXPECT_EQ(relation_of(4380).seq_relation, SeqRelation::plus_4380);
    EXPECT_EQ(relation_of(100).seq_relation, SeqRelation::in_window);
    EXPECT_EQ(relation_of(0xFFFFFF00u).seq_relation, SeqRelation::outside);
}

TEST(RstForensics, ForgedFinBeforeServerHelloIsJudgedButALateFinIsNot) {
    Trial forged = handshake(0, 50);
    forged.packets.push_back(packet(hello_time(forged) + 0.021, Direction::inbound, k_fin_ack,
                                    k_server_isn + 1, 58, 1, false));
    auto findings = analyze_rsts({forged});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].flags, k_fin_ack);
    EXPECT_EQ(findings[0].origin, RstOrigin::injected);

    Trial normal = handshake(1, 50);
    normal.server_hello_seen = true;
    normal.packets.push_back(packet(hello_time(normal) + 0.021, Direction::inbound, k_psh_ack,
                                    k_server_isn + 1, 50, 0x10, true, 1200));
    normal.packets.push_back(packet(hello_time(normal) + 0.030, Direction::inbound, k_fin_ack,
                                    k_server_isn + 1201, 50, 0x11, true));
    EXPECT_TRUE(analyze_rsts({normal}).empty());
}

TEST(RstForensics, NoCaptureNoFindings) {
    Trial t = handshake(0, 50);
    t.packets.push_back(packet(0.05, Direction::inbound, k_rst, k_server_isn + 1, 60, 0, false));
    t.captured = false;
    EXPECT_TRUE(analyze_rsts({t}).empty());
}

TEST(RstForensics, InitialTtlGuess) {
    EXPECT_EQ(guess_initial_ttl(1), 64);
    EXPECT_EQ(guess_initial_ttl(64), 64);
    EXPECT_EQ(guess_initial_ttl(65), 128);
    EXPECT_EQ(guess_initial_ttl(128), 128);
    EXPECT_EQ(guess_initial_ttl(129), 255);
}

// --- real captures ---------------------------------------------------------------

// One trial per client SYN in the fixture (client 10.91.1.2 -> server 10.91.2.2:443),
// in capture order: the first is the ok.test control, the next two name blocked.test.
std::vector<Trial> trials_from_fixture(const std::string& name) {
    auto packets = capture::read_capture_file(std::string(SNIPROBE_TEST_DATA) + "/pcap/" + name);
    EXPECT_TRUE(packets) << (packets ? "" : packets.error().message);
    if (!packets || packets->empty()) return {};
    double run_start = packets->front().ts_unix;
    std::vector<Trial> trials;
    for (const auto& frame : *packets) {
        auto link = capture::decode_link_frame(frame.link_type, frame.frame);
        if (link.anomaly != capture::FrameAnomaly::none) continue;
        auto tcp = wire::decode_tcp_packet(link.ip_packet);
        if (!tcp.packet || tcp.packet->flags != tcp_flag::syn) continue;
        Trial t;
        t.id = static_cast<int>(trials.size());
        t.address = tcp.packet->dst_string();
        t.port = tcp.packet->dst_port;
        t.local_port = tcp.packet->src_port;
        t.t0 = frame.ts_unix - run_start - 0.001;
        trials.push_back(t);
    }
    capture::AttachStats stats = capture::attach_packets(trials, *packets, run_start);
    EXPECT_TRUE(stats.anomalies.empty());
    EXPECT_EQ(stats.unmatched, 0);
    for (auto& t : trials)
        t.server_hello_seen =
            std::any_of(t.packets.begin(), t.packets.end(), [](const PacketRecord& p) {
                return p.direction == Direction::inbound && p.payload_len > 0 &&
                       !(p.flags & tcp_flag::rst);
            });
    return trials;
}

TEST(RstForensicsFixtures, ServerKernelResetReadsAsServer) {
    auto trials = trials_from_fixture("server_reset.pcapng");
    ASSERT_EQ(trials.size(), 3u);
    EXPECT_TRUE(trials[0].server_hello_seen);
    auto findings = analyze_rsts(trials);
    ASSERT_EQ(findings.size(), 2u);
    for (const auto& f : findings) {
        EXPECT_NE(f.trial_id, 0);
        EXPECT_EQ(f.origin, RstOrigin::server) << fmt::format("{}", fmt::join(f.reasons, " | "));
        EXPECT_EQ(f.signature, RstSignatureId::server_stack);
        EXPECT_EQ(f.flags, k_rst);
        EXPECT_EQ(f.ttl, 63);
        EXPECT_EQ(f.hop_difference, 0);
        EXPECT_EQ(f.ip_id_pattern, IpIdPattern::zero);
        EXPECT_TRUE(f.df);
        EXPECT_EQ(f.seq_relation, SeqRelation::exact);
    }
}

TEST(RstForensicsFixtures, HenanLikeInjectionReadsAsInjectedHenan) {
    auto trials = trials_from_fixture("injected_henan.pcapng");
    ASSERT_EQ(trials.size(), 3u);
    auto findings = analyze_rsts(trials);
    ASSERT_EQ(findings.size(), 2u);
    for (const auto& f : findings) {
        EXPECT_EQ(f.origin, RstOrigin::injected);
        EXPECT_EQ(f.signature, RstSignatureId::henan);
        EXPECT_EQ(f.ttl, 58);
        EXPECT_EQ(f.hop_difference, -5);  // forged with TTL 58: "further" than the one-hop server
        EXPECT_EQ(f.ip_id_pattern, IpIdPattern::fixed);
        EXPECT_EQ(f.seq_relation, SeqRelation::exact);
        EXPECT_FALSE(f.df);
        EXPECT_EQ(f.reasons.front(),
                  "TTL 58 arrives with 5 more hops than the server's SYN-ACK (TTL 63)");
    }
}

TEST(RstForensicsFixtures, GfwTypeTwoBurstReadsAsInjectedBurstOfThree) {
    auto trials = trials_from_fixture("injected_gfw2.pcapng");
    ASSERT_EQ(trials.size(), 3u);
    auto findings = analyze_rsts(trials);
    ASSERT_EQ(findings.size(), 6u);
    std::set<int> trial_ids;
    for (const auto& f : findings) {
        trial_ids.insert(f.trial_id);
        EXPECT_EQ(f.origin, RstOrigin::injected);
        EXPECT_EQ(f.signature, RstSignatureId::gfw_type_2);
        EXPECT_EQ(f.burst_count, 3);
        EXPECT_EQ(f.flags, k_rst_ack);
        EXPECT_TRUE(f.df);
    }
    EXPECT_EQ(trial_ids, (std::set<int>{1, 2}));
}

}  // namespace
}  // namespace sniprobe
