// reassemble = "first_segment_only": the box reads the flow's first data segment alone,
// takes the name from it even when the hello is cut short, and never looks at a later
// segment. A hello whose name lies past the cut (a post-quantum hello with the name after
// its key shares) passes; one whose name is in the first segment is caught there.
#include <gtest/gtest.h>

#include <algorithm>

#include "middlebox/engine.hpp"
#include "test_packets.hpp"

namespace sniprobe::middlebox {
namespace {

using namespace testing;

bool triggered(const Decision& d) {
    return !d.before.empty() || d.drop;
}

std::string rule(const std::string& reassemble) {
    return "[[rule]]\nname = \"r\"\naction = \"rst_both\"\nreassemble = " + reassemble +
           "\n[rule.match]\nsni_exact = \"blocked.test\"\n";
}

struct TwoSegments {
    Decision first, second;
};

TwoSegments send_cut(Engine& engine, const std::vector<uint8_t>& hello, size_t cut) {
    std::vector<uint8_t> a(hello.begin(), hello.begin() + static_cast<long>(cut));
    std::vector<uint8_t> b(hello.begin() + static_cast<long>(cut), hello.end());
    handshake(engine, 0);
    TwoSegments out;
    out.first = send_data(engine, a, 1);
    out.second = send_data(engine, b, 2, k_client_port, 443, static_cast<uint32_t>(cut));
    return out;
}

size_t name_offset(const std::vector<uint8_t>& hello) {
    auto at =
        std::search(hello.begin(), hello.end(), std::begin("blocked"), std::end("blocked") - 1);
    return static_cast<size_t>(at - hello.begin());
}

TEST(FirstSegmentOnly, ParsesAsAnOption) {
    auto rules = parse_rules(rule("\"first_segment_only\""), "t");
    ASSERT_TRUE(rules) << rules.error().message;
    EXPECT_EQ(rules->rules[0].reassemble, Reassemble::first_segment_only);
    EXPECT_FALSE(parse_rules(rule("\"first_segments\""), "t"));
}

TEST(FirstSegmentOnly, CatchesTheNameInATruncatedFirstSegment) {
    auto hello = fixture("openssl_sni.bin");
    size_t cut = name_offset(hello) + 12 + 10;  // the name and some bytes after it
    ASSERT_LT(cut, hello.size());
    Engine engine(rules_from(rule("\"first_segment_only\"")), {});
    auto sent = send_cut(engine, hello, cut);
    EXPECT_TRUE(triggered(sent.first));
    // The no-reassembly box needs a whole hello in one segment: it misses this one.
    Engine whole_only(rules_from(rule("false")), {});
    auto missed = send_cut(whole_only, hello, cut);
    EXPECT_FALSE(triggered(missed.first));
    EXPECT_FALSE(triggered(missed.second));
}

TEST(FirstSegmentOnly, MissesANameInTheSecondSegment) {
    auto hello = fixture("openssl_sni.bin");
    size_t cut = name_offset(hello) - 4;  // the first segment ends before the name
    Engine engine(rules_from(rule("\"first_segment_only\"")), {});
    auto sent = send_cut(engine, hello, cut);
    EXPECT_FALSE(triggered(sent.first));
    EXPECT_FALSE(triggered(sent.second));
    EXPECT_EQ(engine.counters().triggers, 0u);
    // A reassembling box catches the same bytes on the second segment.
    Engine joins(rules_from(rule("true")), {});
    EXPECT_TRUE(triggered(send_cut(joins, hello, cut).second));
}

// A hello whose name comes after `padding` bytes of a padding extension.
std::vector<uint8_t> hello_with_name_after(size_t padding) {
    std::string name = "blocked.test";
    std::vector<uint8_t> ext{0x00, 0x15, static_cast<uint8_t>(padding >> 8),
                             static_cast<uint8_t>(padding)};
    ext.insert(ext.end(), padding, 0);
    size_t list = name.size() + 3;
    ext.insert(ext.end(),
               {0x00, 0x00, static_cast<uint8_t>((list + 2) >> 8), static_cast<uint8_t>(list + 2),
                static_cast<uint8_t>(list >> 8), static_cast<uint8_t>(list), 0x00, 0x00,
                static_cast<uint8_t>(name.size())});
    ext.insert(ext.end(), name.begin(), name.end());
    std::vector<uint8_t> body{0x03, 0x03};
    body.insert(body.end(), 32, 0x11);
    body.insert(body.end(),
                {0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, static_cast<uint8_t>(ext.size() >> 8),
                 static_cast<uint8_t>(ext.size())});
    body.insert(body.end(), ext.begin(), ext.end());
    std::vector<uint8_t> hs{0x01, 0x00, static_cast<uint8_t>(body.size() >> 8),
                            static_cast<uint8_t>(body.size())};
    hs.insert(hs.end(), body.begin(), body.end());
    std::vector<uint8_t> rec{0x16, 0x03, 0x01, static_cast<uint8_t>(hs.size() >> 8),
                             static_cast<uint8_t>(hs.size())};
    rec.insert(rec.end(), hs.begin(), hs.end());
    return rec;
}

TEST(FirstSegmentOnly, AGsoSuperSegmentIsReadOnlyAsFarAsTheWireSegment) {
    // One 1.8 KB packet (the queue hands over GSO super-segments): the name past byte
    // 1448 is in the wire's second segment, so the box misses it; a reassembling box and a
    // name early in the same packet are caught.
    auto late = hello_with_name_after(1600);
    Engine engine(rules_from(rule("\"first_segment_only\"")), {});
    handshake(engine, 0);
    EXPECT_FALSE(triggered(send_data(engine, late, 1)));
    Engine joins(rules_from(rule("true")), {});
    handshake(joins, 0);
    EXPECT_TRUE(triggered(send_data(joins, late, 1)));
    Engine early_box(rules_from(rule("\"first_segment_only\"")), {});
    handshake(early_box, 0);
    EXPECT_TRUE(triggered(send_data(early_box, hello_with_name_after(1000), 1)));
}

TEST(FirstSegmentOnly, AWholeHelloInOneSegmentIsCaught) {
    Engine engine(rules_from(rule("\"first_segment_only\"")), {});
    handshake(engine, 0);
    EXPECT_TRUE(triggered(send_data(engine, fixture("openssl_sni.bin"), 1)));
}

}  // namespace
}  // namespace sniprobe::middlebox
