// A busy server: the first pass met its connection limit (controls and target refused
// alike), the run backed off, and the kept pass at fewer in flight is clean. The verdict
// judges the kept pass (ok), cites E_SERVER_BACKOFF and advises a lower concurrency; a
// back-off that did not help says so and never turns the verdict into interference.
#include <gtest/gtest.h>

#include <algorithm>

#include "scenario.hpp"
#include "verdict/decide.hpp"
#include "verdict/evidence_ids.hpp"

namespace sniprobe {
namespace {

using namespace sniprobe::testing;

const Evidence* backoff_line(const Verdict& v) {
    auto it = std::find_if(v.evidence.begin(), v.evidence.end(), [](const Evidence& e) {
        return e.id == std::string(evidence::server_backoff.id);
    });
    return it == v.evidence.end() ? nullptr : &*it;
}

Backoff busy_backoff(int kept) {
    Backoff b;
    b.passes = {{64, 50, 40, 20, 16, 16}, {32, 50, 30, 20, 12, 12}, {16, 50, 0, 20, 0, 0}};
    b.kept = kept;
    return b;
}

TEST(BackoffEvidence, CleanPassAfterBackingOffIsOkWithTheFinding) {
    Scenario s;
    s.captured()
        .add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok);
    Diagnosis d = s.build();
    d.backoff = busy_backoff(2);
    const Verdict v = decide(d);
    EXPECT_EQ(v.cause, Cause::ok) << v.summary;
    const Evidence* line = backoff_line(v);
    ASSERT_NE(line, nullptr);
    EXPECT_NE(line->text.find("with 64 in flight 16 of 20 controls failed"), std::string::npos)
        << line->text;
    EXPECT_NE(line->text.find("16 in flight"), std::string::npos) << line->text;
    EXPECT_TRUE(std::any_of(v.advice.begin(), v.advice.end(), [](const std::string& a) {
        return a.find("--concurrency 16") != std::string::npos;
    }));
}

TEST(BackoffEvidence, NoFindingWithoutABackoff) {
    Scenario s;
    s.captured().add(Variant::sni, 10, handshake_ok).add(Variant::no_sni, 10, handshake_ok);
    EXPECT_EQ(backoff_line(decide(s.build())), nullptr);
}

TEST(BackoffEvidence, ABackoffThatDidNotHelpSaysSo) {
    Scenario s;
    s.captured().add(Variant::sni, 10, handshake_ok).add(Variant::no_sni, 10, handshake_ok);
    Diagnosis d = s.build();
    d.backoff = busy_backoff(0);
    const Verdict v = decide(d);  // backoff_line points into it
    const Evidence* line = backoff_line(v);
    ASSERT_NE(line, nullptr);
    EXPECT_NE(line->text.find("did not help"), std::string::npos) << line->text;
}

}  // namespace
}  // namespace sniprobe
