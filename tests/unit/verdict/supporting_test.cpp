// Supporting evidence and the less common outcomes: what split/large variants reveal,
// residual blocking, plain-HTTP blocking, DNS disagreement, secondary certificate
// problems, and invariants every verdict must keep (one cause from the taxonomy,
// confidence in [0, 1], a summary, cited ids from the table).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "scenario.hpp"
#include "verdict/decide.hpp"
#include "verdict/evidence_ids.hpp"

namespace sniprobe {
namespace {

using namespace sniprobe::testing;
using ::testing::HasSubstr;

bool cites(const Verdict& v, const std::string& id) {
    return std::any_of(v.evidence.begin(), v.evidence.end(),
                       [&](const Evidence& e) { return e.id == id; });
}

Scenario blocked_name() {
    Scenario s;
    s.add(Variant::sni, 10, reset_after_hello)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok);
    return s;
}

TEST(Supporting, SplitThatSucceedsSaysTheBoxDoesNotReassemble) {
    Scenario s = blocked_name();
    s.add(Variant::sni_split_tcp, 10, handshake_ok)
        .add(Variant::control_split_tcp, 10, handshake_ok)
        .add(Variant::sni_large, 10, handshake_ok);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::sni_reset);
    EXPECT_TRUE(cites(v, "E_SPLIT_EVADES"));
    EXPECT_TRUE(cites(v, "E_LARGE_EVADES"));
    std::string advice;
    for (const auto& a : v.advice) advice += a;
    EXPECT_THAT(advice, HasSubstr("does not reassemble TCP"));
}

TEST(Supporting, FailedSplitMeansNothingBesideAFailedControlSplit) {
    Scenario s = blocked_name();
    s.add(Variant::sni_split_tcp, 10, reset_after_hello)
        .add(Variant::control_split_tcp, 10, reset_after_hello);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::sni_reset);
    EXPECT_TRUE(cites(v, "E_SERVER_REJECTS_SPLIT"));
    EXPECT_FALSE(cites(v, "E_SPLIT_BLOCKED"));
    EXPECT_FALSE(cites(v, "E_SPLIT_EVADES"));
}

TEST(Supporting, FailedSplitBesideWorkingControlSplitSaysTheBoxReassembles) {
    Scenario s = blocked_name();
    s.add(Variant::sni_split_tcp, 10, reset_after_hello)
        .add(Variant::control_split_tcp, 10, handshake_ok);
    EXPECT_TRUE(cites(decide(s.build()), "E_SPLIT_BLOCKED"));
}

TEST(Supporting, FailedSplitWithoutControlSplitSaysNothing) {
    Scenario s = blocked_name();
    s.add(Variant::sni_split_tcp, 10, reset_after_hello);
    Verdict v = decide(s.build());
    EXPECT_FALSE(cites(v, "E_SPLIT_BLOCKED"));
    EXPECT_FALSE(cites(v, "E_SERVER_REJECTS_SPLIT"));
}

TEST(Supporting, ControlsFailingOnlyAfterTheTriggerAreResidualBlocking) {
    Scenario s;
    s.add(Variant::no_sni, 5, handshake_ok)
        .add(Variant::control_sni, 5, handshake_ok)
        .add(Variant::sni, 10, reset_after_hello)
        .add(Variant::no_sni, 3, reset_after_hello)
        .add(Variant::control_sni, 2, reset_after_hello)
        .add(Variant::no_sni, 2, handshake_ok)
        .add(Variant::control_sni, 3, handshake_ok);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::sni_reset);
    EXPECT_TRUE(cites(v, "E_RESIDUAL_BLOCKING"));
}

// The GFW pattern: a few handshakes get through, one naming the target is reset by an
// injected RST, then every connection to the address is refused for minutes.
Scenario residual_run() {
    Scenario s;
    s.captured()
        .add(Variant::no_sni, 1, handshake_ok)
        .add(Variant::control_sni, 1, handshake_ok)
        .add(Variant::sni_split_tcp, 1, reset_after_hello)
        .add(Variant::sni, 10, connect_refused)
        .add(Variant::no_sni, 9, connect_refused)
        .add(Variant::control_sni, 9, connect_refused);
    return s;
}

TEST(Supporting, InjectedTriggerThenEverythingRefusedIsResidualBlocking) {
    Scenario s = residual_run();
    s.forensics(Variant::sni_split_tcp, RstOrigin::injected);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::sni_reset);
    EXPECT_TRUE(cites(v, "E_RESIDUAL_BLOCKING"));
    EXPECT_TRUE(cites(v, "E_RST_INJECTED"));
    EXPECT_LE(v.confidence, 0.7);
}

TEST(Supporting, SamePatternWithoutInjectionEvidenceBlamesNoOne) {
    // A server that went down after one reset looks the same without packets.
    Verdict v = decide(residual_run().build());
    EXPECT_NE(v.cause, Cause::sni_reset);
    EXPECT_NE(v.cause, Cause::server_reset);
}

TEST(Supporting, BlockPageOnPlainHttpIsHttpHostBlock) {
    Scenario s;
    s.add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::http_host, 5, http_beaver_page);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::http_host_block);
    EXPECT_TRUE(cites(v, "E_HTTP_BLOCKPAGE"));
    EXPECT_LE(v.confidence, 0.75);
}

// The differential: the control Host on the same address gets the origin's page, the
// target Host a redirect from another server software. No known marker is needed.
TEST(Supporting, PageUnlikeTheControlHostsIsHttpHostBlockWithoutMarkers) {
    Scenario s;
    s.add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::http_host, 10, http_foreign_redirect)
        .add(Variant::control_http, 10, http_origin_page);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::http_host_block) << v.summary;
    EXPECT_TRUE(cites(v, "E_HTTP_BLOCKPAGE"));
    EXPECT_TRUE(cites(v, "E_HTTP_CONTROL"));
}

// A block page with markers that the control Host gets too is the address's page, not
// the name's: no http_host_block.
TEST(Supporting, MarkedPageTheControlHostGetsTooIsNotHttpHostBlock) {
    Scenario s;
    s.add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::http_host, 10, http_beaver_page)
        .add(Variant::control_http, 10, http_beaver_page);
    EXPECT_NE(decide(s.build()).cause, Cause::http_host_block);
}

// With the control Host answered by the origin, a marked page rests on both and is
// stronger than the markers alone.
TEST(Supporting, MarkedPageWithTheControlsOriginPageIsTheStrongerHttpHostBlock) {
    Scenario s;
    s.add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::http_host, 10, http_beaver_page)
        .add(Variant::control_http, 10, http_origin_page);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::http_host_block);
    EXPECT_TRUE(cites(v, "E_HTTP_CONTROL"));
    EXPECT_GT(v.confidence, 0.75);
}

// Resets of both Hosts are the port's, not the name's.
TEST(Supporting, HttpResetsOfTheControlHostTooAreNotHttpHostBlock) {
    Scenario s;
    s.captured()
        .add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::http_host, 10, reset_after_hello)
        .add(Variant::control_http, 10, reset_after_hello)
        .forensics(Variant::http_host, RstOrigin::injected);
    EXPECT_NE(decide(s.build()).cause, Cause::http_host_block);
}

// A path-MTU black hole: every full-size handshake times out after connect, whatever the
// name; with our MSS clamped the server's segments are small and the handshake works.
TEST(Supporting, ClampedMssThatWorksWhereFullSizeTimesOutIsPathMtu) {
    Scenario s;
    s.captured()
        .add(Variant::sni, 10, timeout_after_hello)
        .add(Variant::no_sni, 10, timeout_after_hello)
        .add(Variant::control_sni, 10, timeout_after_hello)
        .add(Variant::sni_mss, 10, handshake_ok);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::path_mtu) << v.summary;
    EXPECT_TRUE(cites(v, "E_MSS_CLAMP_WORKS"));
    EXPECT_FALSE(v.advice.empty());
}

// A name-based drop the clamp does not change stays sni_drop, and a clamp that fails as
// well is no path-MTU sign.
TEST(Supporting, PathMtuNeedsTheClampToWorkAndTheControlsToFail) {
    Scenario named;
    named.captured()
        .add(Variant::sni, 10, timeout_after_hello)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok)
        .add(Variant::sni_mss, 10, handshake_ok);
    EXPECT_NE(decide(named.build()).cause, Cause::path_mtu);
    Scenario dead;
    dead.captured()
        .add(Variant::sni, 10, timeout_after_hello)
        .add(Variant::no_sni, 10, timeout_after_hello)
        .add(Variant::sni_mss, 10, timeout_after_hello);
    EXPECT_NE(decide(dead.build()).cause, Cause::path_mtu);
}

// A load balancer that resets ClientHellos spanning two segments: the large hello fails
// with the target name and the control name alike, with the server's own RSTs, while
// small hellos work. That is the server's fault, not a box's, and browsers meet it.
TEST(Supporting, LargeHellosResetByTheServerWhateverTheNameIsServerReset) {
    Scenario s;
    s.captured()
        .add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok)
        .add(Variant::sni_large, 10, reset_after_hello)
        .add(Variant::control_large, 10, reset_after_hello)
        .forensics(Variant::sni_large, RstOrigin::server)
        .forensics(Variant::control_large, RstOrigin::server);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::server_reset) << v.summary;
    EXPECT_TRUE(cites(v, "E_SERVER_LARGE_HELLO"));
    EXPECT_NE(v.summary.find("two TCP segments"), std::string::npos) << v.summary;

    // Injected RSTs on the large hellos are a box's, not the server's.
    Scenario boxed;
    boxed.captured()
        .add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::sni_large, 10, reset_after_hello)
        .add(Variant::control_large, 10, reset_after_hello)
        .forensics(Variant::sni_large, RstOrigin::injected)
        .forensics(Variant::control_large, RstOrigin::injected);
    EXPECT_NE(decide(boxed.build()).cause, Cause::server_reset);
}

TEST(Supporting, ForcedIpThatDnsDoesNotKnowIsDnsOnlyWhenAllElseWorks) {
    Scenario fine;
    fine.forced_ip("198.51.100.7", {"203.0.113.10"})
        .add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok);
    Verdict v = decide(fine.build());
    EXPECT_EQ(v.cause, Cause::dns);
    EXPECT_TRUE(cites(v, "E_DNS_MISMATCH"));

    Scenario blocked = blocked_name();
    blocked.forced_ip("198.51.100.7", {"203.0.113.10"});
    Verdict b = decide(blocked.build());
    EXPECT_EQ(b.cause, Cause::sni_reset);
    EXPECT_TRUE(cites(b, "E_DNS_MISMATCH"));
}

TEST(Supporting, BadChainBesideInterferenceIsEvidenceNotTheCause) {
    Scenario s = blocked_name();
    s.add(Variant::full_verify, 2, chain_incomplete);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::sni_reset);
    EXPECT_TRUE(cites(v, "E_CERT_CHAIN_INCOMPLETE"));
}

TEST(Supporting, TraceHopIsCited) {
    Scenario s = blocked_name();
    s.trace_hop(2, "10.77.2.1");
    Verdict v = decide(s.build());
    EXPECT_TRUE(cites(v, "E_TRACE_MIDDLEBOX_HOP"));
}

TEST(Supporting, NoControlsIsInconclusive) {
    Scenario s;
    s.add(Variant::sni, 10, reset_after_hello);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::inconclusive);
    EXPECT_TRUE(cites(v, "E_NO_CONTROLS"));
    EXPECT_THAT(v.summary, HasSubstr("connection_reset 10"));
}

TEST(EvidenceIds, AreUniqueAndNamed) {
    std::set<std::string> ids;
    for (const EvidenceId& e : k_all_evidence_ids) {
        EXPECT_TRUE(ids.insert(e.id).second) << e.id;
        EXPECT_EQ(std::string(e.id).rfind("E_", 0), 0u) << e.id;
        EXPECT_GT(std::string(e.meaning).size(), 10u) << e.id;
    }
}

TEST(Invariants, EveryScenarioGivesOneTaxonomyCauseWithTableIds) {
    const std::set<Cause> causes{Cause::ok,
                                 Cause::sni_reset,
                                 Cause::sni_drop,
                                 Cause::sni_close,
                                 Cause::http_host_block,
                                 Cause::tcp_unreachable,
                                 Cause::server_reset,
                                 Cause::tls_alert,
                                 Cause::certificate,
                                 Cause::path_mtu,
                                 Cause::dns,
                                 Cause::inconclusive};
    std::set<std::string> table;
    for (const EvidenceId& e : k_all_evidence_ids) table.insert(e.id);

    std::vector<Scenario> scenarios{seed_scenario(), blocked_name(), Scenario{}};
    Scenario mixed;
    mixed.captured()
        .add(Variant::sni, 4, reset_after_hello)
        .add(Variant::sni, 3, timeout_after_hello)
        .add(Variant::sni, 3, eof_after_hello)
        .add(Variant::no_sni, 5, reset_after_hello)
        .add(Variant::no_sni, 5, handshake_ok)
        .add(Variant::http_host, 2, reset_after_hello)
        .forensics(Variant::sni, RstOrigin::unknown);
    scenarios.push_back(mixed);
    for (const Scenario& s : scenarios) {
        Verdict v = decide(s.build());
        EXPECT_TRUE(causes.count(v.cause)) << to_name(v.cause);
        EXPECT_FALSE(v.summary.empty());
        EXPECT_EQ(v.summary.back(), '.') << v.summary;
        for (const Evidence& e : v.evidence) {
            EXPECT_TRUE(table.count(e.id)) << e.id;
            EXPECT_FALSE(e.text.empty()) << e.id;
        }
    }
}

}  // namespace
}  // namespace sniprobe
