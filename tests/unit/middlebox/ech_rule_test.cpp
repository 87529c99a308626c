// match.ech = true over TCP: the rule drops a ClientHello only when it names the listed
// site and carries an encrypted_client_hello extension, as Russia's TSPU does; the name
// without ECH and ECH with another name pass. A box that reads only the first segment
// sees the extension when its header is in that segment.
#include <gtest/gtest.h>

#include "forge/hello_forge.hpp"
#include "middlebox/engine.hpp"
#include "test_packets.hpp"

namespace sniprobe::middlebox {
namespace {

using namespace testing;

std::string ech_rule(const std::string& reassemble) {
    return "[[rule]]\nname = \"ech\"\naction = \"drop\"\nmode = \"in_path\"\nreassemble = " +
           reassemble + "\n[rule.match]\nsni_exact = \"blocked.test\"\nech = true\n";
}

std::vector<uint8_t> hello(const std::string& name, forge::EchGrease ech,
                           forge::Shape shape = forge::Shape::openssl) {
    forge::ForgeOptions o;
    o.shape = shape;
    o.server_name = name;
    o.ech = ech;
    o.sni_placement = forge::SniPlacement::first;
    o.seed = 7;
    auto t = forge::HelloTemplate::create(o);
    EXPECT_TRUE(t);
    auto bytes = t->forge().bytes;
    return {bytes.begin(), bytes.end()};
}

Decision first_hello(Engine& engine, const std::vector<uint8_t>& bytes, uint16_t port) {
    handshake(engine, 0, port);
    return send_data(engine, bytes, 1, port);
}

TEST(MiddleboxEch, ParsesAndDropsTheNameOnlyWithEch) {
    auto rules = parse_rules(ech_rule("true"), "t");
    ASSERT_TRUE(rules) << rules.error().message;
    ASSERT_TRUE(rules->rules.at(0).ech);
    Engine engine(*rules, {});
    using forge::EchGrease;
    auto dropped = first_hello(engine, hello("blocked.test", EchGrease::on), 40100);
    EXPECT_TRUE(dropped.drop);
    EXPECT_NE(dropped.log.find("sni=blocked.test ech"), std::string::npos) << dropped.log;
    EXPECT_FALSE(first_hello(engine, hello("blocked.test", EchGrease::off), 40101).drop);
    EXPECT_FALSE(first_hello(engine, hello("ok.test", EchGrease::on), 40102).drop);
    EXPECT_EQ(engine.counters().triggers, 1u);
    // Without match.ech the same rule drops the name either way.
    std::string plain = ech_rule("true");
    plain.erase(plain.find("ech = true"));
    Engine by_name(rules_from(plain), {});
    EXPECT_TRUE(first_hello(by_name, hello("blocked.test", EchGrease::off), 40103).drop);
}

TEST(MiddleboxEch, AFirstSegmentBoxSeesEchNextToTheName) {
    // Chrome's hello is about 1.8 KB (two segments); with the extension right after the
    // name both are in the first, which is all this box reads.
    Engine engine(rules_from(ech_rule("\"first_segment_only\"")), {});
    using forge::EchGrease;
    using forge::Shape;
    auto early = hello("blocked.test", EchGrease::early, Shape::chrome);
    ASSERT_GT(early.size(), 1448u);
    EXPECT_TRUE(first_hello(engine, early, 40200).drop);
    EXPECT_FALSE(
        first_hello(engine, hello("blocked.test", EchGrease::off, Shape::chrome), 40201).drop);
}

}  // namespace
}  // namespace sniprobe::middlebox
