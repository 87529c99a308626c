// The ECH rule on hand-made diagnoses: the name passing without ECH and failing with it,
// beside the control name passing with ECH, is ech_block (over TCP, over QUIC, or both),
// even when the browser-shaped and large hellos (which carry GREASE ECH) fail as well; the
// control name failing with ECH too is ech_protocol_block; a name blocked outright stays
// sni_drop; everything passing blames nothing; a server that resets ECH hellos itself, or
// answers them with an alert, is not blamed on the path; no control row, no ECH cause.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scenario.hpp"
#include "verdict/decide.hpp"

namespace sniprobe::verdict {
namespace {

using sniprobe::testing::alert_unrecognized_name;
using sniprobe::testing::handshake_ok;
using sniprobe::testing::quic_timeout;
using sniprobe::testing::Scenario;
using sniprobe::testing::tcp_fine;
using sniprobe::testing::timeout_after_hello;

Scenario quic_fine(Scenario s) {
    s.add(Variant::quic_sni, 5, handshake_ok)
        .add(Variant::quic_no_sni, 5, handshake_ok)
        .add(Variant::quic_control, 5, handshake_ok)
        .add(Variant::quic_version_ping, 5, handshake_ok);
    return s;
}

bool cites(const Verdict& v, const std::string& id) {
    for (const auto& e : v.evidence)
        if (e.id == id) return true;
    return false;
}

TEST(EchRule, TheNameFailingOnlyWithEchIsAnEchBlockOverTcpAndQuic) {
    Scenario s = quic_fine(tcp_fine());
    s.add(Variant::sni_ech, 10, timeout_after_hello)
        .add(Variant::control_ech, 10, handshake_ok)
        .add(Variant::quic_sni_ech, 5, quic_timeout)
        .add(Variant::quic_control_ech, 5, handshake_ok);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::ech_block);
    EXPECT_FALSE(v.subcode);
    EXPECT_GE(v.confidence, 0.9);
    EXPECT_THAT(v.summary, ::testing::HasSubstr("over TCP and QUIC"));
    EXPECT_TRUE(cites(v, "E_ECH_DROPPED"));
    EXPECT_TRUE(cites(v, "E_ECH_CONTROL_OK"));
    EXPECT_FALSE(cites(v, "E_ECH_ALL_DROPPED"));
    EXPECT_THAT(v.advice.front(), ::testing::HasSubstr("curl"));
}

TEST(EchRule, BrowserAndLargeHellosFailingWithItDoNotTurnItIntoAServerFault) {
    // The Chrome-shaped and large hellos carry GREASE ECH, so they fail too while their
    // control-name twins (also with ECH) pass: still the name and ECH together.
    Scenario s = tcp_fine();
    s.add(Variant::sni_ech, 10, timeout_after_hello)
        .add(Variant::control_ech, 10, handshake_ok)
        .add(Variant::sni_chrome, 10, timeout_after_hello)
        .add(Variant::control_chrome, 10, handshake_ok)
        .add(Variant::sni_large, 10, timeout_after_hello)
        .add(Variant::control_large, 10, handshake_ok);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::ech_block);
    EXPECT_THAT(v.summary, ::testing::HasSubstr("over TCP"));
    bool browser_line = false;
    for (const auto& e : v.evidence)
        browser_line |=
            e.id == "E_ECH_DROPPED" && e.text.find("sni_chrome 0/10") != std::string::npos;
    EXPECT_TRUE(browser_line);
}

TEST(EchRule, QuicAloneIsEnough) {
    Scenario s = quic_fine(tcp_fine());
    s.add(Variant::quic_sni_ech, 5, quic_timeout).add(Variant::quic_control_ech, 5, handshake_ok);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::ech_block);
    EXPECT_THAT(v.summary, ::testing::HasSubstr("over QUIC"));
}

TEST(EchRule, TheControlNameFailingWithEchTooIsAnEchProtocolBlock) {
    Scenario s = quic_fine(tcp_fine());
    s.add(Variant::sni_ech, 10, timeout_after_hello)
        .add(Variant::control_ech, 10, timeout_after_hello)
        .add(Variant::quic_sni_ech, 5, quic_timeout)
        .add(Variant::quic_control_ech, 5, quic_timeout)
        // GREASE ECH in every browser and large hello: all fail, whatever the name.
        .add(Variant::sni_large, 10, timeout_after_hello)
        .add(Variant::control_large, 10, timeout_after_hello);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::ech_protocol_block);
    EXPECT_TRUE(cites(v, "E_ECH_ALL_DROPPED"));
    EXPECT_FALSE(cites(v, "E_ECH_CONTROL_OK"));
}

TEST(EchRule, NothingBlamedWhenEverythingPasses) {
    Scenario s = quic_fine(tcp_fine());
    s.add(Variant::sni_ech, 10, handshake_ok)
        .add(Variant::control_ech, 10, handshake_ok)
        .add(Variant::quic_sni_ech, 5, handshake_ok)
        .add(Variant::quic_control_ech, 5, handshake_ok);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::ok);
    EXPECT_FALSE(cites(v, "E_ECH_DROPPED"));
}

TEST(EchRule, ANameBlockedWithAndWithoutEchIsANameBlock) {
    Scenario s;
    s.add(Variant::sni, 10, timeout_after_hello)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok)
        .add(Variant::sni_ech, 10, timeout_after_hello)
        .add(Variant::control_ech, 10, handshake_ok);
    EXPECT_EQ(decide(s.build()).cause, Cause::sni_drop);
}

TEST(EchRule, AlertsAndMissingControlsBlameNoEch) {
    // The server answering ECH hellos with an alert speaks for itself.
    Scenario alert = tcp_fine();
    alert.add(Variant::sni_ech, 10, alert_unrecognized_name)
        .add(Variant::control_ech, 10, handshake_ok);
    const Cause with_alert = decide(alert.build()).cause;
    EXPECT_NE(with_alert, Cause::ech_block);
    EXPECT_NE(with_alert, Cause::ech_protocol_block);
    // Without the control name's ECH row, the name cannot be told from ECH itself.
    Scenario alone = tcp_fine();
    alone.add(Variant::sni_ech, 10, timeout_after_hello);
    const Cause without_control = decide(alone.build()).cause;
    EXPECT_NE(without_control, Cause::ech_block);
    EXPECT_NE(without_control, Cause::ech_protocol_block);
}

}  // namespace
}  // namespace sniprobe::verdict
