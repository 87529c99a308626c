// Residual blocking read from the run's timing alone (no --residual): controls answered
// first (diagnose's baseline), one hello naming the target failed, and every connection
// started after it failed at connect. The reset form needs the injected RST; the drop
// form has no packet, so it needs two answered controls and no answered target hello.
#include <gtest/gtest.h>

#include <algorithm>

#include "scenario.hpp"
#include "verdict/decide.hpp"
#include "verdict/evidence_ids.hpp"

namespace sniprobe {
namespace {

using namespace sniprobe::testing;

void connect_timeout(Trial& t) {
    t.failure_ms = 4000.0;
    t.failure = FailureCode::generic_timeout_error;
    t.failed_operation = FailedOperation::connect;
}

bool cites_residual(const Verdict& v) {
    return std::any_of(v.evidence.begin(), v.evidence.end(), [](const Evidence& e) {
        return e.id == std::string(evidence::residual_blocking.id);
    });
}

// Baseline controls, then the block swallowing every later connection, names or not.
Scenario blocked_after(Shape trigger, Shape later, int baseline_per_control = 3) {
    Scenario s;
    s.captured()
        .add(Variant::no_sni, baseline_per_control, handshake_ok)
        .add(Variant::control_sni, baseline_per_control, handshake_ok)
        .add(Variant::sni, 1, trigger)
        .add(Variant::control_sni, 4, later)
        .add(Variant::sni, 4, later)
        .add(Variant::no_sni, 4, later)
        .add(Variant::sni_case, 4, later);
    return s;
}

TEST(ResidualTiming, ResetThenEverySynRefusedIsSniReset) {
    auto s = blocked_after(reset_after_hello, connect_refused);
    s.forensics(Variant::sni, RstOrigin::injected);
    const Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::sni_reset) << v.summary;
    EXPECT_TRUE(cites_residual(v));
}

TEST(ResidualTiming, QuicAnsweredBesideTheTcpBlockDoesNotHideIt) {
    // diagnose runs the QUIC variants to port 443 too (UDP, their own thread): a TCP
    // residual block leaves them answered, and they are not connections to the blocked
    // tuple. Counted as "after the trigger", they hid the block (inconclusive).
    auto s = blocked_after(reset_after_hello, connect_refused);
    s.add(Variant::quic_sni, 5, handshake_ok)
        .add(Variant::quic_no_sni, 5, handshake_ok)
        .add(Variant::quic_control, 5, handshake_ok)
        .add(Variant::quic_version_ping, 5, handshake_ok);
    s.forensics(Variant::sni, RstOrigin::injected);
    const Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::sni_reset) << v.summary;
    EXPECT_TRUE(cites_residual(v));
}

TEST(ResidualTiming, DropThenEverySynUnansweredIsSniDrop) {
    const Verdict v = decide(blocked_after(timeout_after_hello, connect_timeout).build());
    EXPECT_EQ(v.cause, Cause::sni_drop) << v.summary;
    EXPECT_TRUE(cites_residual(v));
}

TEST(ResidualTiming, DropWithOneAnsweredControlIsNotEnough) {
    // One control before the trigger could be luck on a server going down: no sni_drop.
    Scenario s;
    s.captured()
        .add(Variant::no_sni, 1, handshake_ok)
        .add(Variant::sni, 1, timeout_after_hello)
        .add(Variant::control_sni, 6, connect_timeout)
        .add(Variant::sni, 6, connect_timeout);
    EXPECT_NE(decide(s.build()).cause, Cause::sni_drop);
}

TEST(ResidualTiming, ResetWithoutInjectionIsNotBlamedOnThePath) {
    // The server's own RST on the trigger, then the server gone: never sni_reset.
    auto s = blocked_after(reset_after_hello, connect_refused);
    s.forensics(Variant::sni, RstOrigin::server);
    EXPECT_NE(decide(s.build()).cause, Cause::sni_reset);
}

TEST(ResidualTiming, ATargetHelloAnsweredLaterRulesOutTheDrop) {
    // A hello naming the target was answered after the trigger: no residual block.
    auto s = blocked_after(timeout_after_hello, connect_timeout);
    s.add(Variant::sni, 1, handshake_ok);
    EXPECT_NE(decide(s.build()).cause, Cause::sni_drop);
}

}  // namespace
}  // namespace sniprobe
