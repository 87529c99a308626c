// parse_target and default_control_sni: the forms users type, the names an SNI may carry,
// and the clear errors for everything else (the CLI turns them into exit status 2).
#include "resolve/target.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sniprobe {
namespace {

TEST(ParseTarget, HostUsesDefaultPort) {
    auto t = parse_target("Example.COM", 443);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->host, "example.com");
    EXPECT_EQ(t->sni, "example.com");
    EXPECT_EQ(t->port, 443);
    EXPECT_EQ(t->input, "Example.COM");
}

TEST(ParseTarget, HostWithPortAndTrailingDot) {
    auto t = parse_target("www.example.net.:8443", 443);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->host, "www.example.net");
    EXPECT_EQ(t->sni, "www.example.net");
    EXPECT_EQ(t->port, 8443);
}

TEST(ParseTarget, UrlPrefixAndPathAreTolerated) {
    auto t = parse_target("https://blocked.test:444/index.html", 443);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->host, "blocked.test");
    EXPECT_EQ(t->port, 444);
}

TEST(ParseTarget, Ipv4LiteralHasNoSni) {
    auto t = parse_target("192.0.2.7:8443", 443);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->host, "192.0.2.7");
    EXPECT_EQ(t->sni, "");
    EXPECT_EQ(t->port, 8443);
}

TEST(ParseTarget, BracketedIpv6WithPort) {
    auto t = parse_target("[2001:DB8::1]:8443", 443);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->host, "2001:db8::1");
    EXPECT_EQ(t->sni, "");
    EXPECT_EQ(t->port, 8443);
}

TEST(ParseTarget, BareIpv6) {
    auto t = parse_target("::1", 443);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->host, "::1");
    EXPECT_EQ(t->port, 443);
}

TEST(ParseTarget, IdnBecomesPunycodeNonTransitional) {
    auto t = parse_target("bücher.example", 443);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->sni, "xn--bcher-kva.example");
    auto sharp_s = parse_target("faß.de", 443);  // non-transitional keeps the sharp s
    ASSERT_TRUE(sharp_s) << sharp_s.error().message;
    EXPECT_EQ(sharp_s->sni, "xn--fa-hia.de");
}

TEST(ParseTarget, RejectsBadPorts) {
    for (const char* input : {"example.com:0", "example.com:65536",
                              "example.com:", "example.com:44x", "[::1]:99999", "[::1]x"}) {
        auto t = parse_target(input, 443);
        EXPECT_FALSE(t) << input;
        if (!t) {
            EXPECT_NE(t.error().message.find(input), std::string::npos) << t.error().message;
        }
    }
    auto max = parse_target("example.com:65535", 443);
    ASSERT_TRUE(max);
    EXPECT_EQ(max->port, 65535);
}

TEST(ParseTarget, RejectsNamesThatAreNotLdh) {
    std::string long_label(64, 'a');
    std::string long_name;
    for (int i = 0; i < 5; ++i) long_name += std::string(60, 'b') + ".";
    long_name += "com";
    for (const std::string& input :
         {std::string(""), std::string("  "), std::string("exa mple.com"), std::string("-bad.com"),
          std::string("bad-.com"), std::string("a..b"), std::string("under_score.com"),
          long_label + ".com", long_name, std::string("1.2.3"), std::string("256.1.1.1"),
          std::string("[example.com]:443"), std::string("2001:db8::zz")}) {
        EXPECT_FALSE(parse_target(input, 443)) << input;
    }
    EXPECT_TRUE(parse_target(std::string(63, 'a') + ".com", 443));
}

TEST(ParseTarget, RejectsInvalidIdn) {
    auto t = parse_target("xn--a.example\xE2\x80\x8D", 443);  // ZWJ alone is disallowed
    EXPECT_FALSE(t);
    auto bad_utf8 = parse_target("b\xFF\xFEr.example", 443);
    ASSERT_FALSE(bad_utf8);
    EXPECT_NE(bad_utf8.error().message.find("internationalised"), std::string::npos);
}

// A name typed already in punycode is checked like one typed in Unicode: each xn-- label
// must decode to a valid IDNA name, or the SNI we send is one no browser would send.
TEST(ParseTarget, ChecksALabels) {
    for (const char* input : {"xn--a.test", "xn--zz.test", "www.xn--a.test:443"}) {
        auto t = parse_target(input, 443);
        ASSERT_FALSE(t) << input << " accepted as " << t->sni;
        EXPECT_NE(t.error().message.find("A-label"), std::string::npos) << t.error().message;
        EXPECT_NE(t.error().message.find("xn--"), std::string::npos) << t.error().message;
    }
    auto good = parse_target("XN--BCHER-KVA.example", 443);
    ASSERT_TRUE(good) << good.error().message;
    EXPECT_EQ(good->sni, "xn--bcher-kva.example");
    EXPECT_TRUE(parse_target("xn--fa-hia.de", 443));
}

TEST(ParseIpLiteral, CanonicalisesAndRejects) {
    EXPECT_EQ(parse_ip_literal("2001:0db8:0::1").value(), "2001:db8::1");
    EXPECT_EQ(parse_ip_literal("[::1]").value(), "::1");
    EXPECT_EQ(parse_ip_literal("10.0.0.1").value(), "10.0.0.1");
    EXPECT_FALSE(parse_ip_literal("example.com"));
    EXPECT_FALSE(parse_ip_literal("10.0.0"));
}

TEST(DefaultControlSni, UnrelatedToTheTargetDomain) {
    Target t;
    t.host = "blocked.test";
    EXPECT_EQ(default_control_sni(t), "example.com");
    t.host = "example.com";
    EXPECT_EQ(default_control_sni(t), "example.org");
    t.host = "www.example.com";
    EXPECT_EQ(default_control_sni(t), "example.org");
    t.host = "notexample.com";  // not a subdomain: example.com is unrelated
    EXPECT_EQ(default_control_sni(t), "example.com");
    auto parsed = parse_target("example.com", 443);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->control_sni, "example.org");
}

// is_plain_host_name() is the scan's shortcut past parse_target(): every name it accepts
// must come back from parse_target unchanged (host and SNI, default port), and names
// parse_target changes, refuses or reads as an address must not be accepted.
TEST(PlainHostName, AcceptsExactlyWhatParseTargetKeeps) {
    const std::vector<std::string> inputs = {
        "example.com",
        "n1.bench.test",
        "a",
        "a-b.c-d.e",
        "x1.123",
        "1.2.3.4",
        "1.2.3",
        "256.0.0.1",
        "0.0.0.0",
        "Example.com",
        "example.com.",
        "example..com",
        ".example.com",
        "-a.com",
        "a-.com",
        "xn--bcher-kva.example",
        "xn--a.com",
        "a.xn--p1ai",
        "b_c.com",
        "a b.com",
        " a.com",
        "a.com:443",
        "https://a.com",
        "a.com/x",
        "[::1]",
        "::1",
        "bücher.example",
        "",
        ".",
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
        "123abc.com",
        "a.1a",
        std::string(63, 'a') + ".com",
        std::string(64, 'a') + ".com",
        std::string(60, 'a') + "." + std::string(60, 'b') + "." + std::string(60, 'c') + "." +
            std::string(60, 'd') + ".e",
        std::string(60, 'a') + "." + std::string(60, 'b') + "." + std::string(60, 'c') + "." +
            std::string(60, 'd') + ".efghijklmn"};
    int accepted = 0;
    for (const std::string& input : inputs) {
        SCOPED_TRACE("'" + input + "'");
        auto parsed = parse_target(input, 443);
        const bool kept =
            parsed && parsed->sni == input && parsed->host == input && parsed->port == 443;
        if (is_plain_host_name(input)) {
            ++accepted;
            EXPECT_TRUE(kept);
        } else if (kept) {
            // Refusing a name parse_target keeps is allowed (it takes the slow path), but
            // only for the labels the shortcut leaves out.
            EXPECT_NE(input.find("xn--"), std::string::npos);
        }
    }
    EXPECT_GE(accepted, 8);
}

}  // namespace
}  // namespace sniprobe
