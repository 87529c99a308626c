// The middlebox's QUIC rule: it opens the first Initial of a UDP flow, matches the name,
// lets a `pass` trigger through, then (after delay_ms) drops the client's datagrams to the
// server's port for residual_seconds, from any source port, until the block ends; later
// datagrams of a flow are not inspected; other names, the server's own datagrams and UDP
// garbage pass. Rules files refuse QUIC rules with TCP-only actions. A rule with match.ech
// drops only the Initials that carry the name and an ECH extension together, also when the
// hello goes on in a second Initial, and then the rest of that flow.
#include <gtest/gtest.h>

#include "forge/hello_forge.hpp"
#include "middlebox/engine.hpp"
#include "middlebox/rules.hpp"
#include "quic/client_initial.hpp"
#include "quic/first_flight.hpp"

namespace sniprobe::middlebox {
namespace {

constexpr std::string_view k_rules = R"(
[[rule]]
name = "gfw-quic"
transport = "quic"
action = "pass"
delay_ms = 300
residual_seconds = 20

[rule.match]
sni_exact = "blocked.test"
)";

// An IPv4/UDP packet client:sport -> server:443 (or the reverse) carrying `payload`.
std::vector<uint8_t> udp_packet(uint16_t sport, uint16_t dport, const std::vector<uint8_t>& payload,
                                bool from_server = false) {
    std::vector<uint8_t> p(28);
    const size_t total = p.size() + payload.size();
    p[0] = 0x45;
    p[2] = static_cast<uint8_t>(total >> 8);
    p[3] = static_cast<uint8_t>(total);
    p[8] = 64;
    p[9] = 17;
    const uint8_t client[4] = {10, 77, 1, 2}, server[4] = {10, 77, 3, 2};
    std::copy(from_server ? server : client, (from_server ? server : client) + 4, p.begin() + 12);
    std::copy(from_server ? client : server, (from_server ? client : server) + 4, p.begin() + 16);
    p[20] = static_cast<uint8_t>(sport >> 8);
    p[21] = static_cast<uint8_t>(sport);
    p[22] = static_cast<uint8_t>(dport >> 8);
    p[23] = static_cast<uint8_t>(dport);
    const size_t udp_len = 8 + payload.size();
    p[24] = static_cast<uint8_t>(udp_len >> 8);
    p[25] = static_cast<uint8_t>(udp_len);
    p.insert(p.end(), payload.begin(), payload.end());
    return p;
}

std::vector<uint8_t> initial_naming(const std::string& name, uint8_t dcid_seed,
                                    forge::Shape shape = forge::Shape::firefox,
                                    forge::EchGrease ech = forge::EchGrease::shape_default) {
    forge::ForgeOptions o;
    o.shape = shape;
    o.server_name = name;
    o.ech = ech;
    o.sni_placement = forge::SniPlacement::first;
    o.seed = dcid_seed;
    o.quic_transport_parameters = quic::client_transport_parameters({});
    auto t = forge::HelloTemplate::create(o);
    EXPECT_TRUE(t);
    auto hello = t->forge();
    quic::InitialLayout layout;
    layout.dcid.assign(8, dcid_seed);
    auto initials = quic::build_client_initials(hello.bytes.subspan(5), layout);
    EXPECT_TRUE(initials);
    return (*initials)[0].datagram;
}

Engine engine() {
    auto rules = parse_rules(k_rules, "test");
    EXPECT_TRUE(rules) << rules.error().message;
    return Engine(*rules, EngineOptions{});
}

TEST(MiddleboxQuic, PassesTheTriggerThenBlocksTheTupleAfterTheDelay) {
    Engine e = engine();
    auto trigger = e.handle(udp_packet(40000, 443, initial_naming("blocked.test", 1)), 1000);
    EXPECT_FALSE(trigger.drop);
    EXPECT_NE(trigger.log.find("rule=gfw-quic action=pass quic"), std::string::npos);
    EXPECT_EQ(e.counters().triggers, 1u);
    // Inside the delay: another flow with another name passes.
    EXPECT_FALSE(e.handle(udp_packet(40001, 443, initial_naming("ok.test", 2)), 1200).drop);
    // The server's answers always pass.
    EXPECT_FALSE(e.handle(udp_packet(443, 40000, {0xc0, 0, 0, 0, 1}, true), 1400).drop);
    // After the delay: the same port and new ports, any name, are dropped...
    EXPECT_TRUE(e.handle(udp_packet(40000, 443, initial_naming("ok.test", 3)), 2000).drop);
    EXPECT_TRUE(e.handle(udp_packet(40002, 443, initial_naming("ok.test", 4)), 4000).drop);
    // ...but not another server port, and not once the block ends.
    EXPECT_FALSE(e.handle(udp_packet(40003, 8443, initial_naming("ok.test", 5)), 4000).drop);
    EXPECT_FALSE(
        e.handle(udp_packet(40004, 443, initial_naming("ok.test", 6)), 1000 + 300 + 20000).drop);
}

TEST(MiddleboxQuic, InspectsOnlyAFlowsFirstDatagram) {
    Engine e = engine();
    EXPECT_FALSE(e.handle(udp_packet(41000, 443, std::vector<uint8_t>(14, 0)), 1000).drop);
    auto late = e.handle(udp_packet(41000, 443, initial_naming("blocked.test", 7)), 1100);
    EXPECT_FALSE(late.drop);
    EXPECT_TRUE(late.log.empty());
    EXPECT_EQ(e.counters().triggers, 0u);
}

TEST(MiddleboxQuic, GarbageAndOtherNamesPass) {
    Engine e = engine();
    EXPECT_FALSE(e.handle(udp_packet(42000, 443, initial_naming("ok.test", 8)), 1000).drop);
    std::vector<uint8_t> junk(1200, 0xc3);
    EXPECT_FALSE(e.handle(udp_packet(42001, 443, junk), 1000).drop);
    auto truncated = udp_packet(42002, 443, {});
    truncated.resize(24);
    EXPECT_FALSE(e.handle(truncated, 1000).drop);
    EXPECT_EQ(e.counters().triggers, 0u);
}

TEST(MiddleboxQuic, RulesFilesRefuseTcpActionsAndHostFreeMatches) {
    std::string bad(k_rules);
    bad.replace(bad.find("\"pass\""), 6, "\"rst_both\"");
    EXPECT_FALSE(parse_rules(bad, "bad"));
    std::string tcp_pass(k_rules);
    tcp_pass.replace(tcp_pass.find("\"quic\""), 6, "\"tcp\"");
    EXPECT_FALSE(parse_rules(tcp_pass, "bad"));
    std::string unknown(k_rules);
    unknown.replace(unknown.find("\"quic\""), 6, "\"sctp\"");
    EXPECT_FALSE(parse_rules(unknown, "bad"));
}

constexpr std::string_view k_ech_rules = R"(
[[rule]]
name = "ech-quic"
transport = "quic"
action = "drop"

[rule.match]
sni_exact = "blocked.test"
ech = true
)";

TEST(MiddleboxQuic, AnEchRuleDropsTheNameOnlyWithEch) {
    auto rules = parse_rules(k_ech_rules, "test");
    ASSERT_TRUE(rules) << rules.error().message;
    ASSERT_TRUE(rules->rules.at(0).ech);
    Engine e(*rules, EngineOptions{});
    using forge::EchGrease;
    using forge::Shape;
    // Chrome's hello spans two Initials; the ECH extension right after the name is in the
    // first, the one the box reads.
    auto ech = e.handle(
        udp_packet(43000, 443, initial_naming("blocked.test", 11, Shape::chrome, EchGrease::early)),
        1000);
    EXPECT_TRUE(ech.drop);
    EXPECT_NE(ech.log.find("sni=blocked.test ech"), std::string::npos) << ech.log;
    // The hello's second Initial goes with the first: the whole flow is dropped.
    EXPECT_TRUE(e.handle(udp_packet(43000, 443, std::vector<uint8_t>(1200, 0xc1)), 1010).drop);
    EXPECT_TRUE(
        e.handle(udp_packet(43001, 443, initial_naming("blocked.test", 12, Shape::firefox)), 1000)
            .drop);  // Firefox sends GREASE ECH itself
    // The name without ECH, and ECH with another name, pass.
    EXPECT_FALSE(
        e.handle(udp_packet(43002, 443,
                            initial_naming("blocked.test", 13, Shape::chrome, EchGrease::off)),
                 1000)
            .drop);
    EXPECT_FALSE(
        e.handle(
             udp_packet(43003, 443, initial_naming("ok.test", 14, Shape::chrome, EchGrease::early)),
             1000)
            .drop);
    EXPECT_EQ(e.counters().triggers, 2u);
    // A drop rule without residual_seconds blocks nothing afterwards.
    EXPECT_FALSE(
        e.handle(udp_packet(43004, 443, initial_naming("ok.test", 15, Shape::chrome)), 2000).drop);
}

TEST(MiddleboxQuic, EchGoesWithANameMatchOnly) {
    EXPECT_FALSE(
        parse_rules("[[rule]]\nname = \"x\"\naction = \"drop_all\"\n"
                    "[rule.match]\ndst_ip = \"10.0.0.1\"\nech = true\n",
                    "bad"));
    EXPECT_FALSE(
        parse_rules("[[rule]]\nname = \"x\"\naction = \"rst_both\"\n"
                    "[rule.match]\nsni_exact = \"a.test\"\nech = \"yes\"\n",
                    "bad"));
}

}  // namespace
}  // namespace sniprobe::middlebox
