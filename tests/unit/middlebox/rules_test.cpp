// Rules file parsing: the shipped profiles, a complete rule, and one test per error
// class, each checking the message names the file, the line and the field.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "middlebox/profiles.hpp"
#include "middlebox/rules.hpp"

namespace sniprobe::middlebox {
namespace {

const char* k_full = R"(# a comment
[[rule]]
name = "r1"
action = "rst_both"
probability = 0.25
reassemble = "tcp"
mode = "in_path"
delay_ms = 18
residual_seconds = 90

[rule.match]
sni_suffix = "Example.TEST"
ports = [443, 8443]

[rule.fingerprint]
count = 3
flags = "rst"
ttl = 47
ip_id = "fixed:31415"
window = 1024
df = true
seq_spread = [0, 1460, 4380]

[[rule]]
name = "r2"
action = "drop_all"
[rule.match]
dst_ip = "10.77.3.2"
)";

TEST(Rules, ParsesEveryField) {
    auto r = parse_rules(k_full, "full.toml");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->rules.size(), 2u);
    const Rule& a = r->rules[0];
    EXPECT_EQ(a.name, "r1");
    EXPECT_EQ(a.match, MatchKind::sni_suffix);
    EXPECT_EQ(a.pattern, "example.test");  // lower-cased: not case-sensitive by default
    EXPECT_EQ(a.ports, (std::vector<uint16_t>{443, 8443}));
    EXPECT_EQ(a.action, Action::rst_both);
    EXPECT_DOUBLE_EQ(a.probability, 0.25);
    EXPECT_EQ(a.reassemble, Reassemble::tcp);
    EXPECT_EQ(a.mode, Mode::in_path);
    EXPECT_EQ(a.delay_ms, 18u);
    EXPECT_EQ(a.residual_seconds, 90u);
    EXPECT_EQ(a.fingerprint.count, 3);
    EXPECT_EQ(a.fingerprint.flags, RstFlags::rst);
    EXPECT_EQ(a.fingerprint.ttl, 47);
    EXPECT_EQ(a.fingerprint.ip_id, IpIdKind::fixed);
    EXPECT_EQ(a.fingerprint.ip_id_fixed, 31415);
    EXPECT_EQ(a.fingerprint.window, 1024);
    EXPECT_TRUE(a.fingerprint.df);
    EXPECT_EQ(a.fingerprint.seq_spread, (std::vector<uint32_t>{0, 1460, 4380}));
    EXPECT_EQ(a.line, 2);
    const Rule& b = r->rules[1];
    EXPECT_EQ(b.match, MatchKind::dst_ip);
    EXPECT_EQ(b.dst_ip, (std::array<uint8_t, 4>{10, 77, 3, 2}));
    EXPECT_EQ(b.action, Action::drop_all);
}

TEST(Rules, DefaultsAndEmptyFile) {
    auto r = parse_rules("[[rule]]\nname='x'\naction='drop'\n[rule.match]\nsni_exact='a.test'\n",
                         "d.toml");
    ASSERT_TRUE(r) << r.error().message;
    const Rule& x = r->rules.at(0);
    EXPECT_DOUBLE_EQ(x.probability, 1.0);
    EXPECT_EQ(x.reassemble, Reassemble::tcp_and_records);
    EXPECT_EQ(x.mode, Mode::on_path);
    EXPECT_EQ(x.fingerprint.count, 1);
    EXPECT_EQ(x.fingerprint.flags, RstFlags::rst_ack);
    EXPECT_EQ(x.fingerprint.ip_id, IpIdKind::random);
    auto empty = parse_rules("# nothing\n", "clean.toml");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->rules.empty());
}

struct BadCase {
    const char* what;
    const char* toml;
    const char* expect;  // substring of the error: "file:line: field: ..."
};

class RulesError : public ::testing::TestWithParam<BadCase> {};

TEST_P(RulesError, NamesFileLineAndField) {
    auto r = parse_rules(GetParam().toml, "bad.toml");
    ASSERT_FALSE(r) << GetParam().what;
    EXPECT_NE(r.error().message.find(GetParam().expect), std::string::npos)
        << GetParam().what << ": got \"" << r.error().message << "\"";
}

#define RULE "[[rule]]\nname = \"r\"\naction = \"rst_both\"\n[rule.match]\nsni_exact = \"a.test\"\n"
INSTANTIATE_TEST_SUITE_P(
    Each, RulesError,
    ::testing::Values(
        BadCase{"syntax", "[[rule]]\nname = \n", "bad.toml:2: syntax:"},
        BadCase{"unknown top-level", "rules = 1\n", "bad.toml:1: rules: unknown top-level key"},
        BadCase{"missing name", "[[rule]]\naction = \"drop\"\n",
                "bad.toml:1: rule[0].name: missing"},
        BadCase{"name not a string", "[[rule]]\nname = 3\n",
                "bad.toml:2: rule[0].name: must be a string"},
        BadCase{"unknown field", "[[rule]]\nname = \"r\"\nprobabilty = 0.5\n",
                "bad.toml:3: rule[0].probabilty: unknown field"},
        BadCase{"missing match", "[[rule]]\nname = \"r\"\naction = \"drop\"\n",
                "bad.toml:1: rule 'r'.match: missing"},
        BadCase{"two match keys",
                "[[rule]]\nname = \"r\"\naction = \"drop\"\n[rule.match]\nsni_exact = "
                "\"a\"\nhttp_host = \"b\"\n",
                "rule 'r'.match: needs exactly one of"},
        BadCase{"bad action",
                "[[rule]]\nname = \"r\"\naction = \"explode\"\n[rule.match]\nsni_exact = \"a\"\n",
                "bad.toml:3: rule 'r'.action: 'explode' is not one of"},
        BadCase{
            "dst_ip with rst",
            "[[rule]]\nname = \"r\"\naction = \"rst_both\"\n[rule.match]\ndst_ip = \"1.2.3.4\"\n",
            "bad.toml:3: rule 'r'.action: drop_all goes with match.dst_ip"},
        BadCase{"bad address",
                "[[rule]]\nname = \"r\"\naction = \"drop_all\"\n[rule.match]\ndst_ip = \"1.2.3\"\n",
                "bad.toml:5: rule 'r'.match.dst_ip: '1.2.3' is not an IPv4 address"},
        BadCase{"probability > 1",
                "[[rule]]\nname = \"r\"\naction = \"drop\"\nprobability = "
                "1.5\n[rule.match]\nsni_exact = \"a\"\n",
                "bad.toml:4: rule 'r'.probability: 1.5 is out of range 0..1"},
        BadCase{"bad mode",
                "[[rule]]\nname = \"r\"\naction = \"drop\"\nmode = "
                "\"sideways\"\n[rule.match]\nsni_exact = \"a\"\n",
                "bad.toml:4: rule 'r'.mode: 'sideways' is not on_path or in_path"},
        BadCase{"bad reassemble",
                "[[rule]]\nname = \"r\"\naction = \"drop\"\nreassemble = "
                "\"maybe\"\n[rule.match]\nsni_exact = \"a\"\n",
                "bad.toml:4: rule 'r'.reassemble: must be"},
        BadCase{"ttl range", RULE "[rule.fingerprint]\nttl = 300\n",
                "bad.toml:7: rule 'r'.fingerprint.ttl: 300 is out of range 1..255"},
        BadCase{"count range", RULE "[rule.fingerprint]\ncount = 0\n",
                "bad.toml:7: rule 'r'.fingerprint.count: 0 is out of range"},
        BadCase{"bad flags", RULE "[rule.fingerprint]\nflags = \"syn\"\n",
                "bad.toml:7: rule 'r'.fingerprint.flags: 'syn' is not rst or rst_ack"},
        BadCase{"bad ip_id", RULE "[rule.fingerprint]\nip_id = \"odd\"\n",
                "bad.toml:7: rule 'r'.fingerprint.ip_id: 'odd' is not"},
        BadCase{"fixed:0", RULE "[rule.fingerprint]\nip_id = \"fixed:0\"\n",
                "bad.toml:7: rule 'r'.fingerprint.ip_id: fixed:N needs N in 1..65535"},
        BadCase{"fixed:junk", RULE "[rule.fingerprint]\nip_id = \"fixed:12x\"\n",
                "rule 'r'.fingerprint.ip_id: fixed:N"},
        BadCase{"empty spread", RULE "[rule.fingerprint]\nseq_spread = []\n",
                "bad.toml:7: rule 'r'.fingerprint.seq_spread: must be a non-empty"},
        BadCase{"window type", RULE "[rule.fingerprint]\nwindow = \"big\"\n",
                "bad.toml:7: rule 'r'.fingerprint.window: must be an integer"},
        BadCase{"bad port", RULE "ports = [0]\n",
                "rule 'r'.match.ports: ports are integers 1..65535"},
        BadCase{"delay range",
                "[[rule]]\nname = \"r\"\naction = \"drop\"\ndelay_ms = -1\n[rule.match]\nsni_exact "
                "= \"a\"\n",
                "bad.toml:4: rule 'r'.delay_ms: -1 is out of range"},
        BadCase{"duplicate name", RULE RULE, "rule[1].name: duplicate rule name 'r'"},
        BadCase{"drop_all probability",
                "[[rule]]\nname = \"r\"\naction = \"drop_all\"\nprobability = "
                "0.5\n[rule.match]\ndst_ip = \"1.2.3.4\"\n",
                "rule 'r'.probability: drop_all is per packet"}));
#undef RULE

TEST(Rules, LoadFileNamesThePath) {
    auto missing = load_rules_file("/nonexistent/rules.toml");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("/nonexistent/rules.toml"), std::string::npos);
}

TEST(Rules, HostMatching) {
    Rule exact;
    exact.match = MatchKind::sni_exact;
    exact.pattern = "blocked.test";
    EXPECT_TRUE(host_matches(exact, "blocked.test"));
    EXPECT_TRUE(host_matches(exact, "BLOCKED.test"));  // case-insensitive by default
    EXPECT_FALSE(host_matches(exact, "blocked.test."));
    EXPECT_FALSE(host_matches(exact, "a.blocked.test"));
    exact.case_sensitive = CaseSensitive::yes;
    EXPECT_FALSE(host_matches(exact, "BLOCKED.test"));

    Rule suffix;
    suffix.match = MatchKind::sni_suffix;
    suffix.pattern = "blocked.test";
    EXPECT_TRUE(host_matches(suffix, "blocked.test"));
    EXPECT_TRUE(host_matches(suffix, "www.blocked.test"));
    EXPECT_FALSE(host_matches(suffix, "notblocked.test"));
    suffix.pattern = ".blocked.test";
    EXPECT_FALSE(host_matches(suffix, "blocked.test"));
    EXPECT_TRUE(host_matches(suffix, "www.blocked.test"));
}

TEST(Rules, FamilyNamesOneIpVersionOrBoth) {
    auto rule = [](const std::string& family) {
        return parse_rules("[[rule]]\nname='x'\naction='drop'\nfamily='" + family +
                               "'\n[rule.match]\nsni_exact='a.test'\n",
                           "f.toml");
    };
    ASSERT_TRUE(rule("ipv4"));
    EXPECT_EQ(rule("ipv4")->rules[0].family, 4);
    EXPECT_EQ(rule("ipv6")->rules[0].family, 6);
    EXPECT_EQ(rule("any")->rules[0].family, 0);
    auto bad = rule("ipv5");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("family"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace sniprobe::middlebox
