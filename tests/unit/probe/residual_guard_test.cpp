// The residual guard: the baseline (controls) runs first and alone; the run stops once
// every connection started after a failed target hello failed at connect, and never
// when something got through after it.
#include "probe/residual_guard.hpp"

#include <gtest/gtest.h>

namespace sniprobe {
namespace {

PlannedTrial planned(int id, Variant v) {
    PlannedTrial p;
    p.id = id;
    p.variant = v;
    p.address = "10.77.3.2";
    p.port = v == Variant::http_host ? 80 : 443;
    return p;
}

Trial trial(int id, Variant v, double t0) {
    Trial t;
    t.id = id;
    t.variant = v;
    t.address = "10.77.3.2";
    t.port = v == Variant::http_host ? 80 : 443;
    t.t0 = t0;
    t.t = t0 + 0.01;
    return t;
}

Trial ok(int id, Variant v, double t0) {
    Trial t = trial(id, v, t0);
    t.connect_ms = 1;
    t.hello_sent_ms = 1.1;
    t.server_hello_seen = true;
    return t;
}

Trial dropped_hello(int id, Variant v, double t0) {
    Trial t = trial(id, v, t0);
    t.connect_ms = 1;
    t.hello_sent_ms = 1.1;
    t.failure = FailureCode::generic_timeout_error;
    t.failed_operation = FailedOperation::tls_handshake;
    return t;
}

Trial refused(int id, Variant v, double t0) {
    Trial t = trial(id, v, t0);
    t.failure = FailureCode::connection_refused;
    t.failed_operation = FailedOperation::connect;
    return t;
}

TEST(ResidualGuard, BaselineIsOneOfEachControlPerAddressFirst) {
    std::vector<PlannedTrial> plan;
    for (int round = 0; round < 3; ++round)
        for (Variant v : {Variant::sni, Variant::no_sni, Variant::control_sni, Variant::http_host})
            plan.push_back(planned(static_cast<int>(plan.size()), v));
    const size_t baseline = move_baseline_first(plan);
    ASSERT_EQ(baseline, 2u);
    EXPECT_EQ(plan[0].variant, Variant::no_sni);
    EXPECT_EQ(plan[1].variant, Variant::control_sni);
    EXPECT_EQ(plan.size(), 12u);
    for (size_t i = 0; i < plan.size(); ++i) EXPECT_EQ(plan[i].id, static_cast<int>(i));
}

TEST(ResidualGuard, TheRestWaitsForTheBaseline) {
    ResidualGuard guard(2);
    EXPECT_EQ(guard.admit(planned(0, Variant::no_sni)), Admit::start);
    EXPECT_EQ(guard.admit(planned(1, Variant::control_sni)), Admit::start);
    EXPECT_EQ(guard.admit(planned(2, Variant::sni)), Admit::later);
    guard.on_done(ok(0, Variant::no_sni, 0));
    EXPECT_EQ(guard.admit(planned(2, Variant::sni)), Admit::later);
    guard.on_done(ok(1, Variant::control_sni, 0));
    EXPECT_EQ(guard.admit(planned(2, Variant::sni)), Admit::start);
}

TEST(ResidualGuard, StopsWhenEverythingAfterTheTriggerFailsAtConnect) {
    ResidualGuard guard(2, 4);
    guard.on_done(ok(0, Variant::no_sni, 0));
    guard.on_done(ok(1, Variant::control_sni, 0));
    guard.on_done(dropped_hello(2, Variant::sni, 0.1));
    for (int id = 3; id < 6; ++id) guard.on_done(refused(id, Variant::control_sni, 0.2 + id));
    EXPECT_FALSE(guard.stopped());
    guard.on_done(refused(6, Variant::sni_case, 7));
    EXPECT_TRUE(guard.stopped());
    EXPECT_EQ(guard.admit(planned(7, Variant::sni)), Admit::stop);
    EXPECT_NE(guard.stop_note().find("10.77.3.2 port 443"), std::string::npos);
}

TEST(ResidualGuard, NeverStopsWhenSomethingGotThroughAfterTheTrigger) {
    ResidualGuard guard(1, 3);
    guard.on_done(ok(0, Variant::no_sni, 0));
    guard.on_done(dropped_hello(1, Variant::sni, 0.1));
    guard.on_done(ok(2, Variant::control_sni, 0.5));
    for (int id = 3; id < 10; ++id) guard.on_done(refused(id, Variant::control_sni, id));
    EXPECT_FALSE(guard.stopped());
}

TEST(ResidualGuard, NeverStopsWithoutAnAnsweredBaseline) {
    // A server that answers nothing is tcp_unreachable, not a residual block to cut short.
    ResidualGuard guard(1, 3);
    guard.on_done(refused(0, Variant::no_sni, 0));
    guard.on_done(dropped_hello(1, Variant::sni, 0.1));
    for (int id = 2; id < 10; ++id) guard.on_done(refused(id, Variant::control_sni, id));
    EXPECT_FALSE(guard.stopped());
}

}  // namespace
}  // namespace sniprobe
