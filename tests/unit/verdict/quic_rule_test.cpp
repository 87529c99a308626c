// The QUIC rule on hand-made diagnoses: TCP fine and QUIC triggers answered but the
// follow-ups silent is a residual block; the name's QUIC hellos silent beside answered
// controls is a name block; no hello answered but version pings answered is a protocol
// block; a server that answers no QUIC probe at all (it may not speak QUIC) and a TCP
// block both leave the QUIC rule out.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scenario.hpp"
#include "verdict/decide.hpp"

namespace sniprobe::verdict {
namespace {

using sniprobe::testing::handshake_ok;
using sniprobe::testing::quic_timeout;
using sniprobe::testing::reset_after_hello;
using sniprobe::testing::Scenario;
using sniprobe::testing::tcp_fine;

bool cites(const Verdict& v, const std::string& id) {
    for (const auto& e : v.evidence)
        if (e.id == id) return true;
    return false;
}

TEST(QuicRule, AnsweredTriggersThenSilentFollowUpsAreAResidualBlock) {
    Scenario s = tcp_fine();
    s.add(Variant::quic_sni, 5, handshake_ok)
        .add(Variant::quic_control, 5, handshake_ok)
        .add(Variant::quic_no_sni, 5, handshake_ok)
        .add(Variant::quic_version_ping, 5, handshake_ok)
        .add(Variant::quic_followup_same_port, 4, quic_timeout)
        .add(Variant::quic_followup_new_port, 4, quic_timeout);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::quic_residual_block);
    EXPECT_TRUE(cites(v, "E_QUIC_FOLLOWUPS_DROPPED"));
    EXPECT_THAT(v.advice.front(), ::testing::HasSubstr("fall back to TCP"));
}

TEST(QuicRule, SilentNameBesideAnsweredControlsIsANameBlock) {
    Scenario s = tcp_fine();
    s.add(Variant::quic_sni, 5, quic_timeout)
        .add(Variant::quic_control, 5, handshake_ok)
        .add(Variant::quic_no_sni, 5, handshake_ok)
        .add(Variant::quic_version_ping, 5, handshake_ok);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::quic_sni_block);
    EXPECT_TRUE(cites(v, "E_QUIC_SNI_DROPPED"));
}

TEST(QuicRule, EveryHelloSilentButPingsAnsweredIsAProtocolBlock) {
    Scenario s = tcp_fine();
    s.add(Variant::quic_sni, 5, quic_timeout)
        .add(Variant::quic_control, 5, quic_timeout)
        .add(Variant::quic_no_sni, 5, quic_timeout)
        .add(Variant::quic_version_ping, 5, handshake_ok);
    EXPECT_EQ(decide(s.build()).cause, Cause::quic_protocol_block);
}

TEST(QuicRule, AServerThatSpeaksNoQuicIsNotBlamed) {
    Scenario s = tcp_fine();
    s.add(Variant::quic_sni, 5, quic_timeout)
        .add(Variant::quic_control, 5, quic_timeout)
        .add(Variant::quic_no_sni, 5, quic_timeout)
        .add(Variant::quic_version_ping, 5, quic_timeout);
    EXPECT_EQ(decide(s.build()).cause, Cause::ok);
}

TEST(QuicRule, AllAnsweredIsOkAndATcpBlockStillWins) {
    Scenario s = tcp_fine();
    s.add(Variant::quic_sni, 5, handshake_ok)
        .add(Variant::quic_control, 5, handshake_ok)
        .add(Variant::quic_followup_same_port, 4, handshake_ok)
        .add(Variant::quic_followup_new_port, 4, handshake_ok);
    EXPECT_EQ(decide(s.build()).cause, Cause::ok);

    Scenario t;
    t.add(Variant::sni, 10, reset_after_hello)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok)
        .add(Variant::quic_sni, 5, quic_timeout)
        .add(Variant::quic_control, 5, handshake_ok);
    EXPECT_EQ(decide(t.build()).cause, Cause::sni_reset);
}

}  // namespace
}  // namespace sniprobe::verdict
