// Backing off from a busy server: a burst is several failed controls started within a
// second while some control passed; the planner halves the concurrency while that helps,
// and keeps the pass whose controls failed least (the first on a tie).
#include "probe/backoff.hpp"

#include <gtest/gtest.h>

namespace sniprobe {
namespace {

Trial trial(Variant v, double t0, bool ok) {
    Trial t;
    t.variant = v;
    t.t0 = t0;
    t.connect_ms = 1;
    if (!ok) {
        t.failure = FailureCode::connection_refused;
        t.failed_operation = FailedOperation::connect;
        t.connect_ms.reset();
    }
    return t;
}

BackoffPass pass(int concurrency, int control_trials, int control_failed, int burst) {
    BackoffPass p;
    p.concurrency = concurrency;
    p.trials = control_trials * 2;
    p.failed = control_failed * 2;
    p.control_trials = control_trials;
    p.control_failed = control_failed;
    p.burst = burst;
    return p;
}

TEST(Backoff, CountsFailedControlsStartedWithinTheWindow) {
    std::vector<Trial> trials{
        trial(Variant::no_sni, 0.00, true),
        trial(Variant::control_sni, 0.10, false),
        trial(Variant::no_sni, 0.20, false),
        trial(Variant::sni, 0.25, false),  // not a control
        trial(Variant::control_sni, 0.90, false),
        trial(Variant::no_sni, 2.50, false),
    };
    const BackoffPass p = summarize_pass(trials, 64);
    EXPECT_EQ(p.concurrency, 64);
    EXPECT_EQ(p.trials, 6);
    EXPECT_EQ(p.failed, 5);
    EXPECT_EQ(p.control_trials, 5);
    EXPECT_EQ(p.control_failed, 4);
    EXPECT_EQ(p.burst, 3);  // 0.10, 0.20, 0.90; 2.50 is too late
    EXPECT_TRUE(controls_failed_in_burst(p));
}

TEST(Backoff, AControlFailingForAProtocolFeatureIsNoBusyServer) {
    // A box that drops every hello carrying ECH (or every large hello) fails those controls
    // at once, in a burst, while the plain controls pass: that is no reason to back off.
    std::vector<Trial> trials;
    for (int i = 0; i < 10; ++i) {
        trials.push_back(trial(Variant::no_sni, 0.01 * i, true));
        trials.push_back(trial(Variant::control_sni, 0.01 * i, true));
        trials.push_back(trial(Variant::control_ech, 0.01 * i, false));
        trials.push_back(trial(Variant::control_large, 0.01 * i, false));
    }
    const BackoffPass p = summarize_pass(trials, 64);
    EXPECT_EQ(p.control_trials, 20);
    EXPECT_EQ(p.control_failed, 0);
    EXPECT_FALSE(controls_failed_in_burst(p));
}

TEST(Backoff, SpreadOutFailuresAreNoBurst) {
    std::vector<Trial> trials{
        trial(Variant::no_sni, 0.0, false), trial(Variant::no_sni, 1.5, false),
        trial(Variant::no_sni, 3.0, false), trial(Variant::no_sni, 4.5, true)};
    const BackoffPass p = summarize_pass(trials, 6);
    EXPECT_EQ(p.burst, 1);
    EXPECT_FALSE(controls_failed_in_burst(p));
}

TEST(Backoff, EveryControlFailingIsADeadPathNotABusyServer) {
    EXPECT_FALSE(controls_failed_in_burst(pass(64, 20, 20, 20)));
    EXPECT_TRUE(controls_failed_in_burst(pass(64, 20, 19, 19)));
}

TEST(Backoff, NoBurstNoSecondPass) {
    BackoffPlanner planner;
    EXPECT_EQ(planner.after_pass(pass(64, 20, 2, 2)), 0);
    EXPECT_FALSE(planner.backed_off());
    EXPECT_EQ(planner.backoff().kept, 0);
}

TEST(Backoff, HalvesWhileItHelpsAndKeepsTheCleanPass) {
    BackoffPlanner planner;
    EXPECT_EQ(planner.after_pass(pass(64, 20, 15, 15)), 32);
    EXPECT_EQ(planner.after_pass(pass(32, 20, 10, 10)), 16);
    EXPECT_EQ(planner.after_pass(pass(16, 20, 5, 5)), 8);
    EXPECT_EQ(planner.after_pass(pass(8, 20, 0, 0)), 0);
    EXPECT_TRUE(planner.backed_off());
    EXPECT_EQ(planner.backoff().passes.size(), 4u);
    EXPECT_EQ(planner.backoff().kept, 3);
}

TEST(Backoff, OnceBackingOffAnyFailedControlCallsForFewer) {
    // Seen against nginx's limit_conn 8: at 16 in flight 2 controls (no burst) and 3 of the
    // 10 target hellos still met the limit, and the verdict blamed the server's resets on
    // the name. A burst starts the back-off; then it goes on until no control fails.
    BackoffPlanner planner;
    EXPECT_EQ(planner.after_pass(pass(64, 20, 15, 15)), 32);
    EXPECT_EQ(planner.after_pass(pass(32, 20, 7, 7)), 16);
    EXPECT_EQ(planner.after_pass(pass(16, 20, 2, 2)), 8);
    EXPECT_EQ(planner.after_pass(pass(8, 20, 0, 0)), 0);
    EXPECT_EQ(planner.backoff().kept, 3);
}

TEST(Backoff, NoBetterWithFewerAtOnceStillHalvesAndKeepsTheFirstPass) {
    // The failures at one pace are noisy: a retry no better than the first pass is no
    // proof that fewer at once cannot help. The pass kept is the first on a tie.
    BackoffPlanner planner;
    EXPECT_EQ(planner.after_pass(pass(64, 20, 12, 12)), 32);
    EXPECT_EQ(planner.after_pass(pass(32, 20, 12, 12)), 16);
    EXPECT_EQ(planner.after_pass(pass(16, 20, 20, 20)), 0);  // a block: every control fails
    EXPECT_EQ(planner.backoff().kept, 0);
    EXPECT_TRUE(planner.backed_off());
}

TEST(Backoff, ARetryCutShortIsJudgedByShareNotCount) {
    // The retry's baseline (3 controls) all failed and it stopped there: 3 < 12 failed
    // controls, but every one of them.
    BackoffPlanner planner;
    EXPECT_EQ(planner.after_pass(pass(64, 20, 12, 12)), 32);
    EXPECT_EQ(planner.after_pass(pass(32, 3, 3, 3)), 0);
    EXPECT_EQ(planner.backoff().kept, 0);
}

TEST(Backoff, StopsAtOneInFlight) {
    BackoffPlanner planner;
    EXPECT_EQ(planner.after_pass(pass(3, 20, 12, 12)), 1);
    EXPECT_EQ(planner.after_pass(pass(1, 20, 6, 3)), 0);
    EXPECT_EQ(planner.backoff().kept, 1);
}

}  // namespace
}  // namespace sniprobe
