// The shipped profiles: all eight are embedded, each parses, and the embedded text is
// byte-for-byte the .toml file in src/middlebox/profiles/ (the source of truth).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "middlebox/profiles.hpp"

namespace sniprobe::middlebox {
namespace {

std::string read_source_profile(const std::string& name) {
    std::ifstream in(std::string(SNIPROBE_TEST_DATA) + "/../../src/middlebox/profiles/" + name +
                     ".toml");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(Profiles, AllShippedAndParse) {
    auto names = profile_names();
    for (const char* expected : {"address", "clean", "drop", "fin", "gfw", "http", "p30", "seed"})
        EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
    for (const auto& n : names) {
        auto rules = load_profile(n);
        ASSERT_TRUE(rules) << rules.error().message;
        EXPECT_EQ(rules->origin, "profile:" + n);
        auto text = profile_text(n);
        ASSERT_TRUE(text);
        EXPECT_EQ(*text, read_source_profile(n)) << n << " is stale: rebuild regenerates it";
    }
    EXPECT_FALSE(profile_text("nope"));
    auto unknown = load_profile("nope");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("seed"), std::string::npos);  // lists the known ones
}

TEST(Profiles, TheStoryAndTheGreatFirewall) {
    auto seed = load_profile("seed");
    ASSERT_TRUE(seed);
    ASSERT_EQ(seed->rules.size(), 1u);
    const Rule& s = seed->rules[0];
    EXPECT_EQ(s.action, Action::rst_both);
    EXPECT_EQ(s.pattern, "blocked.test");
    EXPECT_DOUBLE_EQ(s.probability, 0.9);
    EXPECT_EQ(s.fingerprint.ttl, 53);
    EXPECT_EQ(s.fingerprint.ip_id_fixed, 31415);

    auto p30 = load_profile("p30");
    ASSERT_TRUE(p30);
    EXPECT_DOUBLE_EQ(p30->rules.at(0).probability, 0.3);

    auto gfw = load_profile("gfw");
    ASSERT_TRUE(gfw);
    const Rule& g = gfw->rules.at(0);
    EXPECT_EQ(g.fingerprint.count, 3);
    EXPECT_EQ(g.fingerprint.flags, RstFlags::rst_ack);
    EXPECT_EQ(g.fingerprint.ip_id, IpIdKind::random);
    EXPECT_EQ(g.residual_seconds, 180u);

    auto clean = load_profile("clean");
    ASSERT_TRUE(clean);
    EXPECT_TRUE(clean->rules.empty());
    auto address = load_profile("address");
    ASSERT_TRUE(address);
    EXPECT_EQ(address->rules.at(0).action, Action::drop_all);
    EXPECT_EQ(address->rules.at(0).ports, std::vector<uint16_t>{443});
    auto http = load_profile("http");
    ASSERT_TRUE(http);
    EXPECT_EQ(http->rules.at(0).match, MatchKind::http_host);
    EXPECT_EQ(http->rules.at(0).action, Action::blockpage);
    // ech: the name only with ECH, dropped over TCP and over QUIC.
    auto ech = load_profile("ech");
    ASSERT_TRUE(ech);
    ASSERT_EQ(ech->rules.size(), 2u);
    for (const Rule& r : ech->rules) {
        EXPECT_TRUE(r.ech) << r.name;
        EXPECT_EQ(r.action, Action::drop) << r.name;
        EXPECT_EQ(r.pattern, "blocked.test") << r.name;
    }
    EXPECT_EQ(ech->rules[0].transport, Transport::tcp);
    EXPECT_EQ(ech->rules[1].transport, Transport::quic);
}

}  // namespace
}  // namespace sniprobe::middlebox
