// summarize_trace(): the middlebox hop is the first TTL where the target draws
// interference the control does not; placement says whether hellos survive the box.
#include "trace/trace.hpp"

#include <gtest/gtest.h>

namespace sniprobe::trace {
namespace {

// Adds `reps` observations per name at `ttl`.
void add(std::vector<TraceObservation>& obs, int ttl, const std::vector<std::string>& control,
         const std::vector<std::string>& target, const std::string& router = "") {
    for (size_t i = 0; i < control.size(); ++i)
        obs.push_back({ttl, NameRole::control, static_cast<int>(i), control[i],
                       control[i] == "time_exceeded" ? router : ""});
    for (size_t i = 0; i < target.size(); ++i)
        obs.push_back({ttl, NameRole::target, static_cast<int>(i), target[i],
                       target[i] == "time_exceeded" || target[i] == "rst" ? router : ""});
}

const std::vector<std::string> k_te3 = {"time_exceeded", "time_exceeded", "time_exceeded"};
const std::vector<std::string> k_sh3 = {"server_hello", "server_hello", "server_hello"};
const std::vector<std::string> k_rst3 = {"rst", "rst", "rst"};
const std::vector<std::string> k_to3 = {"timeout", "timeout", "timeout"};

TEST(TraceSummary, InjectorAtHopTwoOnPath) {
    std::vector<TraceObservation> obs;
    add(obs, 1, k_te3, k_te3, "10.0.1.1");
    add(obs, 2, k_te3, k_rst3, "10.0.2.1");
    add(obs, 3, k_te3, k_rst3, "10.0.3.1");  // the hello travels on: hop 3 still answers
    add(obs, 4, k_sh3, k_rst3);
    TraceResult r = summarize_trace(obs);
    ASSERT_TRUE(r.middlebox_hop);
    EXPECT_EQ(*r.middlebox_hop, 2);
    EXPECT_EQ(r.middlebox_router, "10.0.2.1");
    EXPECT_EQ(r.placement, "on_path");
    ASSERT_EQ(r.hops.size(), 4u);
    EXPECT_EQ(r.hops[1].outcome, "rst");
    EXPECT_EQ(r.hops[1].control_outcome, "time_exceeded");
    EXPECT_EQ(r.hops[3].control_outcome, "server_hello");
}

TEST(TraceSummary, DroppingBoxIsInPath) {
    std::vector<TraceObservation> obs;
    add(obs, 1, k_te3, k_te3, "10.0.1.1");
    add(obs, 2, k_te3, k_to3, "10.0.2.1");
    add(obs, 3, k_te3, k_to3, "10.0.3.1");
    add(obs, 4, k_sh3, k_to3);
    TraceResult r = summarize_trace(obs);
    ASSERT_TRUE(r.middlebox_hop);
    EXPECT_EQ(*r.middlebox_hop, 2);
    EXPECT_EQ(r.placement, "in_path");
}

TEST(TraceSummary, OneResetInThreeIsEnoughButOneLostIcmpIsNot) {
    std::vector<TraceObservation> obs;
    add(obs, 1, k_te3, {"time_exceeded", "timeout", "time_exceeded"}, "10.0.1.1");
    add(obs, 2, k_te3, {"time_exceeded", "rst", "time_exceeded"}, "10.0.2.1");
    TraceResult r = summarize_trace(obs);
    ASSERT_TRUE(r.middlebox_hop);
    EXPECT_EQ(*r.middlebox_hop, 2);
    EXPECT_EQ(r.placement, "");
}

TEST(TraceSummary, ControlResetTooMeansNoMiddlebox) {
    std::vector<TraceObservation> obs;
    add(obs, 1, k_te3, k_te3, "10.0.1.1");
    add(obs, 2, k_rst3, k_rst3);  // the server resets every hello: not name-based
    TraceResult r = summarize_trace(obs);
    EXPECT_FALSE(r.middlebox_hop);
    EXPECT_EQ(r.placement, "");
}

TEST(TraceSummary, CleanPath) {
    std::vector<TraceObservation> obs;
    add(obs, 1, k_te3, k_te3, "10.0.1.1");
    add(obs, 2, k_sh3, k_sh3);
    TraceResult r = summarize_trace(obs);
    EXPECT_FALSE(r.middlebox_hop);
    ASSERT_EQ(r.hops.size(), 2u);
    EXPECT_EQ(r.hops[0].router, "10.0.1.1");
    EXPECT_EQ(r.hops[1].router, "");
}

}  // namespace
}  // namespace sniprobe::trace
