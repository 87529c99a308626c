// decide_per_family: a dual-stack run judged per family, so a name blocked on IPv6 only
// is not averaged into one mixed verdict; a single-family run gets no per-family lines.
#include <gtest/gtest.h>

#include "scenario.hpp"
#include "verdict/decide.hpp"

namespace sniprobe {
namespace {

using namespace sniprobe::testing;

TEST(PerFamily, BlockedOnIpv6OnlyIsReportedPerFamily) {
    Scenario ipv4;
    ipv4.captured()
        .add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok);
    Scenario ipv6;
    ipv6.captured()
        .add(Variant::sni, 10, reset_after_hello)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok)
        .forensics(Variant::sni, RstOrigin::injected);
    Diagnosis d = ipv4.build();
    const Diagnosis d6 = ipv6.build();
    for (Trial t : d6.trials) {
        t.id += static_cast<int>(d.trials.size());
        t.address = "2001:db8::10";
        d.trials.push_back(t);
    }
    d.resolution.addresses.push_back({"2001:db8::10", "ipv6", "dns"});
    const auto families = decide_per_family(d);
    ASSERT_EQ(families.size(), 2u);
    EXPECT_EQ(families[0].family, "ipv4");
    EXPECT_EQ(families[0].verdict.cause, Cause::ok);
    EXPECT_EQ(families[0].trials, 30);
    EXPECT_EQ(families[1].family, "ipv6");
    EXPECT_EQ(families[1].addresses, std::vector<std::string>{"2001:db8::10"});
    EXPECT_EQ(families[1].verdict.cause, Cause::sni_reset);
}

TEST(PerFamily, OneFamilyGetsNoPerFamilyLines) {
    EXPECT_TRUE(decide_per_family(seed_scenario().build()).empty());
}

}  // namespace
}  // namespace sniprobe
