// Browser-shaped variants in the verdict: each is judged against the same shape with the
// control name. A browser hello that passes where the plain one is reset is E_BROWSER_EVADES;
// one that fails while its control twin passes is E_BROWSER_BLOCKED; one whose control
// fails as well says nothing about the box.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scenario.hpp"
#include "verdict/decide.hpp"

namespace sniprobe::verdict {
namespace {

using sniprobe::testing::handshake_ok;
using sniprobe::testing::reset_after_hello;
using sniprobe::testing::Scenario;

Scenario blocked_name() {
    Scenario s;
    s.add(Variant::sni, 10, reset_after_hello)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok);
    return s;
}

bool cites(const Verdict& v, const std::string& id) {
    for (const auto& e : v.evidence)
        if (e.id == id) return true;
    return false;
}

std::string text_of(const Verdict& v, const std::string& id) {
    for (const auto& e : v.evidence)
        if (e.id == id) return e.text;
    return "";
}

TEST(BrowserEvidence, ChromePassesFirefoxBlocked) {
    Scenario s = blocked_name();
    s.add(Variant::sni_chrome, 10, handshake_ok)
        .add(Variant::control_chrome, 10, handshake_ok)
        .add(Variant::sni_firefox, 10, reset_after_hello)
        .add(Variant::control_firefox, 10, handshake_ok);
    Verdict v = decide(s.build());
    EXPECT_EQ(v.cause, Cause::sni_reset);
    EXPECT_THAT(text_of(v, "E_BROWSER_EVADES"), ::testing::HasSubstr("sni_chrome 10/10 ok"));
    EXPECT_THAT(text_of(v, "E_BROWSER_BLOCKED"), ::testing::HasSubstr("sni_firefox 0/10 ok"));
}

TEST(BrowserEvidence, AFailingControlTwinSaysNothing) {
    Scenario s = blocked_name();
    s.add(Variant::sni_firefox, 10, reset_after_hello)
        .add(Variant::control_firefox, 10, reset_after_hello);
    Verdict v = decide(s.build());
    EXPECT_FALSE(cites(v, "E_BROWSER_BLOCKED"));
    EXPECT_FALSE(cites(v, "E_BROWSER_EVADES"));
}

}  // namespace
}  // namespace sniprobe::verdict
