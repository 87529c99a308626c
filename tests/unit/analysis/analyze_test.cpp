// analyze(): rows in report order, only for variants that ran, failures by OONI string.
#include "analysis/analyze.hpp"

#include <gtest/gtest.h>

namespace sniprobe {
namespace {

Trial make_trial(int id, Variant v, std::string failure) {
    Trial t;
    t.id = id;
    t.variant = v;
    t.failure = Failure::from_text(failure);
    return t;
}

TEST(Analyze, RowsInReportOrderWithCounts) {
    std::vector<Trial> trials;
    int id = 0;
    // Shuffled like a real plan: controls before and after the target.
    for (int i = 0; i < 3; ++i) trials.push_back(make_trial(id++, Variant::control_sni, ""));
    for (int i = 0; i < 9; ++i)
        trials.push_back(make_trial(id++, Variant::sni, "connection_reset"));
    trials.push_back(make_trial(id++, Variant::sni, ""));
    trials.push_back(make_trial(id++, Variant::no_sni, ""));
    trials.push_back(make_trial(id++, Variant::no_sni, "generic_timeout_error"));

    Analysis a = analyze(trials);
    ASSERT_EQ(a.variants.size(), 3u);
    EXPECT_EQ(a.variants[0].variant, Variant::sni);
    EXPECT_EQ(a.variants[1].variant, Variant::no_sni);
    EXPECT_EQ(a.variants[2].variant, Variant::control_sni);

    const VariantStats* sni = a.find(Variant::sni);
    ASSERT_NE(sni, nullptr);
    EXPECT_EQ(sni->trials, 10);
    EXPECT_EQ(sni->ok, 1);
    EXPECT_DOUBLE_EQ(sni->rate, 0.1);
    EXPECT_EQ(sni->failures.at("connection_reset"), 9);
    EXPECT_NEAR(sni->ci95.low, 0.01787, 1e-4);

    const VariantStats* no_sni = a.find(Variant::no_sni);
    ASSERT_NE(no_sni, nullptr);
    EXPECT_EQ(no_sni->ok, 1);
    EXPECT_EQ(no_sni->failures.at("generic_timeout_error"), 1);
    EXPECT_EQ(a.find(Variant::full_verify), nullptr);
}

PacketRecord packet(double t, Direction d, uint8_t flags, uint32_t seq, uint8_t ttl,
                    uint16_t payload_len = 0) {
    PacketRecord p;
    p.t = t;
    p.direction = d;
    p.flags = flags;
    p.seq = seq;
    p.ttl = ttl;
    p.payload_len = payload_len;
    p.tcp_header_len = 20;
    return p;
}

TEST(Analyze, CapturedResetsReachTheFindings) {
    Trial reset = make_trial(7, Variant::sni, "connection_reset");
    reset.captured = true;
    reset.packets = {
        packet(0.000, Direction::outbound, tcp_flag::syn, 1000, 64),
        packet(0.020, Direction::inbound, tcp_flag::syn | tcp_flag::ack, 50000, 52),
        packet(0.021, Direction::outbound, tcp_flag::ack, 1001, 64),
        packet(0.021, Direction::outbound, tcp_flag::psh | tcp_flag::ack, 1001, 64, 517),
        packet(0.024, Direction::inbound, tcp_flag::rst | tcp_flag::ack, 50001, 60),
    };
    Trial uncaptured = make_trial(8, Variant::sni, "connection_reset");

    Analysis a = analyze({reset, uncaptured});
    ASSERT_FALSE(a.rsts.empty());
    for (const RstFinding& f : a.rsts) EXPECT_EQ(f.trial_id, 7);
}

TEST(Analyze, EmptyRunHasNoRows) {
    Analysis a = analyze({});
    EXPECT_TRUE(a.variants.empty());
    EXPECT_TRUE(a.rsts.empty());
}

}  // namespace
}  // namespace sniprobe
