// FlowList packs each FlowFacts into text ids and shared frame numbers: what goes in comes
// back out, field by field, in any order the flows are put in.
#include <gtest/gtest.h>

#include "model/offline.hpp"

namespace sniprobe {
namespace {

FlowFacts sample(int id) {
    FlowFacts f;
    f.trial_id = id;
    f.file = "capture.pcapng";
    f.client = "2001:db8::1";
    f.server = "192.0.2.7";
    f.client_port = static_cast<uint16_t>(40000 + id);
    f.server_port = 443;
    f.sni = id % 2 == 0 ? "example.test" : "";
    f.sni_unknown = id % 3 == 0;
    f.hello_shape = "517 B, 1 record, 16 ext, TLS 1.3/1.2, ALPN h2,http/1.1";
    f.outcome = id % 2 == 0 ? FlowOutcome::reset : FlowOutcome::completed;
    f.by = id % 2 == 0 ? FlowSide::server : FlowSide::none;
    f.detail = id % 2 == 0 ? "warning unrecognized_name" : "";
    if (id % 4 == 1) f.probe_ttl = 13;
    f.icmp_router = id % 4 == 1 ? "219.158.18.65" : "";
    if (id % 2 == 0) f.end_origin = RstOrigin::injected;
    f.syn_frame = 10U * static_cast<uint64_t>(id) + 1;
    f.synack_frame = f.syn_frame + 1;
    f.hello_frame = f.syn_frame + 3;
    f.end_frame = id % 2 == 0 ? f.syn_frame + 5 : 0;
    for (uint64_t k = 0; k < static_cast<uint64_t>(id % 5); ++k)
        f.packet_frames.push_back(f.syn_frame + k);
    if (id % 2 == 0) f.anomalies = {"rst_before_trigger", "snaplen_cut_hello"};
    return f;
}

void expect_same(const FlowFacts& a, const FlowFacts& b) {
    EXPECT_EQ(a.trial_id, b.trial_id);
    EXPECT_EQ(a.file, b.file);
    EXPECT_EQ(a.client, b.client);
    EXPECT_EQ(a.server, b.server);
    EXPECT_EQ(a.client_port, b.client_port);
    EXPECT_EQ(a.server_port, b.server_port);
    EXPECT_EQ(a.sni, b.sni);
    EXPECT_EQ(a.sni_unknown, b.sni_unknown);
    EXPECT_EQ(a.hello_shape, b.hello_shape);
    EXPECT_EQ(a.outcome, b.outcome);
    EXPECT_EQ(a.by, b.by);
    EXPECT_EQ(a.detail, b.detail);
    EXPECT_EQ(a.probe_ttl, b.probe_ttl);
    EXPECT_EQ(a.icmp_router, b.icmp_router);
    EXPECT_EQ(a.end_origin, b.end_origin);
    EXPECT_EQ(a.syn_frame, b.syn_frame);
    EXPECT_EQ(a.synack_frame, b.synack_frame);
    EXPECT_EQ(a.hello_frame, b.hello_frame);
    EXPECT_EQ(a.end_frame, b.end_frame);
    EXPECT_EQ(a.packet_frames, b.packet_frames);
    EXPECT_EQ(a.anomalies, b.anomalies);
}

TEST(FlowList, GivesBackEveryField) {
    FlowList list;
    for (int i = 0; i < 12; ++i) list.push_back(sample(i));
    ASSERT_EQ(list.size(), 12U);
    for (int i = 0; i < 12; ++i) expect_same(list[static_cast<size_t>(i)], sample(i));
    int n = 0;
    for (const auto& f : list) expect_same(f, sample(n++));
    EXPECT_EQ(n, 12);
    EXPECT_THROW((void)list.at(12), std::out_of_range);
}

TEST(FlowList, ViewMatchesTheFacts) {
    FlowList list;
    for (int i = 0; i < 6; ++i) list.push_back(sample(i));
    for (size_t i = 0; i < list.size(); ++i) {
        const FlowFacts f = list[i];
        const FlowView v = list.view(i);
        EXPECT_EQ(v.sni, f.sni);
        EXPECT_EQ(v.server, f.server);
        EXPECT_EQ(v.detail, f.detail);
        EXPECT_EQ(v.icmp_router, f.icmp_router);
        EXPECT_EQ(v.outcome, f.outcome);
        EXPECT_EQ(v.probe_ttl, f.probe_ttl);
        EXPECT_EQ(v.end_origin, f.end_origin);
        EXPECT_EQ(v.end_frame, f.end_frame);
        EXPECT_EQ(v.has_anomalies, !f.anomalies.empty());
        EXPECT_EQ(list.first_frame(i), f.packet_frames.empty() ? 0 : f.packet_frames.front());
    }
}

TEST(FlowList, PermuteAndUpdate) {
    FlowList list;
    for (int i = 0; i < 5; ++i) list.push_back(sample(i));
    list.permute({4, 2, 0, 3, 1});
    const int was[] = {4, 2, 0, 3, 1};
    for (size_t k = 0; k < 5; ++k) expect_same(list[k], sample(was[k]));
    list.set_trial_id(0, 0);
    list.set_end_origin(0, RstOrigin::server);
    EXPECT_EQ(list[0].trial_id, 0);
    EXPECT_EQ(list[0].end_origin, RstOrigin::server);
    EXPECT_EQ(list[0].sni, "example.test");  // the rest untouched
}

// Frame numbers are kept as 32-bit offsets from the flow's first: any other order or
// distance (a capture of billions of frames) still comes back exactly.
TEST(FlowList, FramesOfAnyOrderAndDistance) {
    FlowList list;
    FlowFacts f = sample(2);
    f.packet_frames = {5'000'000'000ULL,
                       3,
                       5'000'000'001ULL,
                       uint64_t{1} << 40,
                       5'000'000'000ULL + 0xfffffffeULL,
                       5'000'000'000ULL + 0xffffffffULL};
    list.push_back(sample(1));
    list.push_back(f);
    list.push_back(sample(3));
    expect_same(list[0], sample(1));
    expect_same(list[1], f);
    expect_same(list[2], sample(3));
    EXPECT_EQ(list.first_frame(1), 5'000'000'000ULL);
}

// More than one chunk of flows, reordered twice and added to after.
TEST(FlowList, ManyFlowsReorderedThenAddedTo) {
    FlowList list;
    constexpr int k_flows = 10000;
    for (int i = 0; i < k_flows; ++i) list.push_back(sample(i));
    std::vector<size_t> reverse(k_flows);
    for (size_t k = 0; k < reverse.size(); ++k) reverse[k] = reverse.size() - 1 - k;
    list.permute(reverse);
    list.permute(reverse);  // back as added
    list.permute({1, 0});   // only the first two flows are kept, swapped
    ASSERT_EQ(list.size(), 2U);
    list.push_back(sample(k_flows));
    expect_same(list[0], sample(1));
    expect_same(list[1], sample(0));
    expect_same(list[2], sample(k_flows));
}

}  // namespace
}  // namespace sniprobe
