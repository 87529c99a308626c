// DecideOptions::evidence_text = false (a scan, which prints evidence ids only) may skip
// formatting evidence texts, and nothing else: cause, subcode, confidence, summary,
// evidence ids in order, and advice are the same as with the texts, for every pattern.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenario.hpp"
#include "verdict/decide.hpp"

namespace sniprobe {
namespace {

using namespace sniprobe::testing;

std::vector<std::string> ids(const Verdict& v) {
    std::vector<std::string> out;
    for (const Evidence& e : v.evidence) out.push_back(e.id);
    return out;
}

void expect_same_but_texts(const Diagnosis& d) {
    const Verdict full = decide(d);
    const Verdict lean = decide(d, DecideOptions{.evidence_text = false});
    EXPECT_EQ(lean.cause, full.cause);
    EXPECT_EQ(lean.subcode, full.subcode);
    EXPECT_EQ(lean.confidence, full.confidence);
    EXPECT_EQ(lean.summary, full.summary);
    EXPECT_EQ(ids(lean), ids(full));
    EXPECT_EQ(lean.advice, full.advice);
}

TEST(EvidenceText, OnlyTheTextsDiffer) {
    std::vector<Scenario> scenarios;
    scenarios.push_back(tcp_fine());
    scenarios.push_back(seed_scenario());
    scenarios.push_back(seed_scenario().forensics(Variant::sni, RstOrigin::injected));
    {
        Scenario s;
        s.add(Variant::sni, 9, handshake_ok)
            .add(Variant::sni, 1, reset_after_hello)
            .add(Variant::no_sni, 10, handshake_ok)
            .add(Variant::control_sni, 10, handshake_ok);
        scenarios.push_back(s);  // ok, with a sporadic failure
    }
    {
        Scenario s;
        s.add(Variant::sni, 3, handshake_ok);
        scenarios.push_back(s);  // ok without controls
    }
    scenarios.push_back(tcp_fine().forced_ip("198.51.100.7", {"203.0.113.10"}));  // dns
    {
        Scenario s;
        s.add(Variant::sni, 10, alert_unrecognized_name)
            .add(Variant::no_sni, 10, handshake_ok)
            .add(Variant::control_sni, 10, handshake_ok);
        scenarios.push_back(s);  // tls_alert
    }
    {
        Scenario s;
        s.add(Variant::sni, 5, connect_refused)
            .add(Variant::no_sni, 5, connect_refused)
            .add(Variant::control_sni, 5, connect_refused);
        scenarios.push_back(s);  // tcp_unreachable
    }
    {
        Scenario s;
        s.add(Variant::sni, 10, timeout_after_hello)
            .add(Variant::no_sni, 10, handshake_ok)
            .add(Variant::control_sni, 10, handshake_ok);
        scenarios.push_back(s);  // sni_drop
    }
    scenarios.push_back(tcp_fine()
                            .add(Variant::sni_ech, 10, timeout_after_hello)
                            .add(Variant::control_ech, 10, handshake_ok));  // ech_block
    scenarios.push_back(tcp_fine()
                            .add(Variant::quic_sni, 6, quic_timeout)
                            .add(Variant::quic_control, 6, quic_timeout));  // QUIC rules
    {
        Scenario s;
        s.dns_failure("dns_nxdomain_error");
        scenarios.push_back(s);
    }
    for (size_t i = 0; i < scenarios.size(); ++i) {
        SCOPED_TRACE("scenario " + std::to_string(i));
        expect_same_but_texts(scenarios[i].build());
    }
}

// The ok verdict, the one nearly every scanned target gets, leaves its text unformatted.
TEST(EvidenceText, OkVerdictSkipsTheText) {
    const Diagnosis d = tcp_fine().build();
    const Verdict full = decide(d);
    const Verdict lean = decide(d, DecideOptions{.evidence_text = false});
    ASSERT_EQ(lean.cause, Cause::ok);
    ASSERT_FALSE(full.evidence.empty());
    EXPECT_FALSE(full.evidence.front().text.empty());
    EXPECT_TRUE(lean.evidence.front().text.empty());
}

}  // namespace
}  // namespace sniprobe
