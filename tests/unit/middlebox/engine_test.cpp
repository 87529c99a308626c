// Engine behaviour beyond the packets' arithmetic: matching, reassembly modes,
// probability drawn once per flow with a seeded RNG, residual blocking and its expiry,
// the bounded flow table, and malformed packets counted, accepted, never a crash.
#include <gtest/gtest.h>

#include "middlebox/engine.hpp"
#include "test_packets.hpp"

namespace sniprobe::middlebox {
namespace {

using namespace testing;

std::string sni_rule(const std::string& extra) {
    return "[[rule]]\nname = \"r\"\naction = \"rst_both\"\n" + extra +
           "\n[rule.match]\nsni_exact = \"blocked.test\"\n";
}

bool triggered(const Decision& d) {
    return !d.before.empty() || d.drop;
}

TEST(Engine, MatchesOnlyTheBlockedName) {
    Engine engine(rules_from(sni_rule("")), {});
    handshake(engine, 0);
    EXPECT_FALSE(triggered(send_data(engine, hello_for("nothere.test"), 1)));
    EXPECT_FALSE(triggered(
        send_data(engine, fixture("openssl_no_sni.bin"), 1, 40001)));  // no flow: mid-stream
    handshake(engine, 0, 40002);
    EXPECT_TRUE(triggered(send_data(engine, fixture("openssl_sni.bin"), 2, 40002)));
    handshake(engine, 0, 40003);
    EXPECT_TRUE(triggered(send_data(engine, fixture("curl_h2.bin"), 2, 40003)));
    EXPECT_EQ(engine.counters().triggers, 2u);
}

TEST(Engine, PortsRestrictARule) {
    Engine engine(rules_from("[[rule]]\nname='r'\naction='rst_both'\n[rule.match]\nsni_exact='"
                             "blocked.test'\nports=[8443]\n"),
                  {});
    handshake(engine, 0);
    EXPECT_FALSE(triggered(send_data(engine, fixture("openssl_sni.bin"), 1)));
    handshake(engine, 0, k_client_port, 8443);
    EXPECT_TRUE(triggered(send_data(engine, fixture("openssl_sni.bin"), 1, k_client_port, 8443)));
}

// The hello split inside the SNI across two TCP segments.
Decision split_and_send(Engine& engine, const std::vector<uint8_t>& hello, size_t cut,
                        Decision* first) {
    std::vector<uint8_t> a(hello.begin(), hello.begin() + static_cast<long>(cut));
    std::vector<uint8_t> b(hello.begin() + static_cast<long>(cut), hello.end());
    handshake(engine, 0);
    *first = send_data(engine, a, 1);
    return send_data(engine, b, 2, k_client_port, 443, static_cast<uint32_t>(cut));
}

TEST(Engine, ReassemblyModes) {
    auto hello = fixture("openssl_sni.bin");
    auto at =
        std::search(hello.begin(), hello.end(), std::begin("blocked"), std::end("blocked") - 1);
    size_t cut = static_cast<size_t>(at - hello.begin()) + 3;  // inside the name
    Decision first;

    Engine joins(rules_from(sni_rule("reassemble = true")), {});
    Decision second = split_and_send(joins, hello, cut, &first);
    EXPECT_FALSE(triggered(first));
    EXPECT_TRUE(triggered(second));
    ASSERT_FALSE(second.before.empty());
    EXPECT_EQ(second.before[0].ack, k_client_isn + 1 + hello.size());  // past the last segment

    Engine per_segment(rules_from(sni_rule("reassemble = false")), {});
    second = split_and_send(per_segment, hello, cut, &first);
    EXPECT_FALSE(triggered(first));
    EXPECT_FALSE(triggered(second));

    // Two TLS records: "tcp" reassembles segments but reads one record only.
    auto two = fixture("openssl_two_records.bin");
    Engine tcp_only(rules_from(sni_rule("reassemble = \"tcp\"")), {});
    handshake(tcp_only, 0);
    EXPECT_FALSE(triggered(send_data(tcp_only, two, 1)));
    Engine records(rules_from(sni_rule("reassemble = true")), {});
    handshake(records, 0);
    EXPECT_TRUE(triggered(send_data(records, two, 1)));
}

TEST(Engine, ProbabilityIsDrawnOncePerFlowWithASeededRng) {
    auto run = [](uint64_t seed) {
        Engine engine(rules_from(sni_rule("probability = 0.3")), EngineOptions{seed});
        auto hello = fixture("openssl_sni.bin");
        int fired = 0;
        for (int i = 0; i < 2000; ++i) {
            auto port = static_cast<uint16_t>(20000 + i);
            handshake(engine, 0, port);
            bool first = triggered(send_data(engine, hello, 1, port));
            // A retransmission of the same hello never gets a second draw.
            bool again = triggered(send_data(engine, hello, 2, port));
            if (!first) {
                EXPECT_FALSE(again);
            }
            fired += first;
        }
        return std::pair{fired, engine.counters().spared};
    };
    auto [fired, spared] = run(42);
    EXPECT_GT(fired, 520);  // 2000 * 0.3 = 600; +-4 sigma (sigma ~ 20.5)
    EXPECT_LT(fired, 680);
    EXPECT_EQ(fired + static_cast<int>(spared), 2000);
    EXPECT_EQ(run(42).first, fired);  // same seed, same flows: same outcome
}

TEST(Engine, ResidualBlockingRefusesNewSynsUntilItExpires) {
    Engine engine(rules_from(sni_rule("residual_seconds = 90")), {});
    handshake(engine, 0);
    ASSERT_TRUE(triggered(send_data(engine, fixture("openssl_sni.bin"), 1000)));
    // A new connection on the same (client, server, port) tuple, another source port.
    Decision syn = engine.handle(pkt(true, 777, 0, tcp_flag::syn, {}, 5, 41000), 1000 + 89000);
    EXPECT_TRUE(syn.drop);
    ASSERT_EQ(syn.before.size(), 1u);
    EXPECT_EQ(syn.before[0].flags, tcp_flag::rst | tcp_flag::ack);
    EXPECT_EQ(syn.before[0].ack, 778u);  // a SYN-SENT socket needs ack = ISN + 1
    EXPECT_EQ(syn.before[0].dst_port, 41000);
    EXPECT_EQ(engine.counters().residual_hits, 1u);
    // Another server port is not blocked.
    EXPECT_FALSE(
        engine.handle(pkt(true, 1, 0, tcp_flag::syn, {}, 5, 41001, 8443), 1000 + 89000).drop);
    // After residual_seconds the tuple is free again.
    Decision later = engine.handle(pkt(true, 888, 0, tcp_flag::syn, {}, 5, 41002), 1000 + 90000);
    EXPECT_FALSE(later.drop);
    EXPECT_TRUE(later.before.empty());
}

TEST(Engine, ResidualForcesFinAndBlockpageOnTheNextData) {
    Engine engine(
        rules_from("[[rule]]\nname='f'\naction='fin_client'\nresidual_seconds=10\n[rule.match]\n"
                   "sni_exact='blocked.test'\n"),
        {});
    handshake(engine, 0);
    ASSERT_TRUE(triggered(send_data(engine, fixture("openssl_sni.bin"), 1)));
    handshake(engine, 2, 41000);  // the SYN passes...
    Decision d =
        send_data(engine, hello_for("nothere.test"), 3, 41000);  // ...any data gets the FIN
    ASSERT_EQ(d.before.size(), 1u);
    EXPECT_EQ(d.before[0].flags, tcp_flag::fin | tcp_flag::ack);
}

TEST(Engine, DropBlackholesTheFlowAndDropAllTheAddress) {
    Engine drop(
        rules_from("[[rule]]\nname='d'\naction='drop'\n[rule.match]\nsni_exact='blocked.test'\n"),
        {});
    handshake(drop, 0);
    Decision d = send_data(drop, fixture("openssl_sni.bin"), 1);
    EXPECT_TRUE(d.drop);
    EXPECT_TRUE(d.before.empty());
    EXPECT_TRUE(drop.handle(pkt(false, k_server_isn + 1, k_client_isn + 1, tcp_flag::ack), 2).drop);

    Engine addr(rules_from("[[rule]]\nname='a'\naction='drop_all'\n[rule.match]\ndst_ip='10.0.0.9'"
                           "\nports=[443]\n"),
                {});
    EXPECT_TRUE(addr.handle(pkt(true, 1, 0, tcp_flag::syn), 0).drop);
    EXPECT_FALSE(addr.handle(pkt(true, 1, 0, tcp_flag::syn, {}, 1, 40000, 80), 0).drop);
}

TEST(Engine, FlowTableIsBoundedAndForgetsIdleFlows) {
    EngineOptions options;
    options.max_flows = 100;
    options.idle_ms = 5000;
    Engine engine(rules_from(sni_rule("")), options);
    for (int i = 0; i < 250; ++i) handshake(engine, 0, static_cast<uint16_t>(10000 + i));
    EXPECT_EQ(engine.flow_count(), 100u);
    EXPECT_NE(engine.counters_line().find("evicted=150"), std::string::npos);
    engine.handle(pkt(true, 1, 0, tcp_flag::syn, {}, 1, 30000), 10000);  // expiry runs
    EXPECT_EQ(engine.flow_count(), 1u);
}

// One IPv6 segment of a flow fd77:1::2:40000 -> fd77:3::2:443.
std::vector<uint8_t> pkt6(bool from_client, uint32_t seq, uint32_t ack, uint8_t flags,
                          std::vector<uint8_t> payload = {}) {
    const std::array<uint8_t, 16> client{0xfd, 0x77, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    const std::array<uint8_t, 16> server{0xfd, 0x77, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    wire::TcpSpec spec;
    spec.ip_version = 6;
    spec.src = from_client ? client : server;
    spec.dst = from_client ? server : client;
    spec.src_port = from_client ? 40000 : 443;
    spec.dst_port = from_client ? 443 : 40000;
    spec.seq = seq;
    spec.ack = ack;
    spec.flags = flags;
    spec.window = 64240;
    spec.payload = std::move(payload);
    return wire::build_tcp_ipv6(spec);
}

// Sends SYN, SYN-ACK, ACK and the hello over IPv6; returns the hello's decision.
Decision hello_over_ipv6(Engine& engine) {
    engine.handle(pkt6(true, k_client_isn, 0, tcp_flag::syn), 0);
    engine.handle(pkt6(false, k_server_isn, k_client_isn + 1, tcp_flag::syn | tcp_flag::ack), 1);
    engine.handle(pkt6(true, k_client_isn + 1, k_server_isn + 1, tcp_flag::ack), 2);
    return engine.handle(pkt6(true, k_client_isn + 1, k_server_isn + 1,
                              tcp_flag::ack | tcp_flag::psh, fixture("openssl_sni.bin")),
                         3);
}

TEST(Engine, InspectsIPv6AndForgesIPv6Resets) {
    Engine engine(rules_from(sni_rule("")), {});
    const Decision d = hello_over_ipv6(engine);
    ASSERT_TRUE(triggered(d));
    ASSERT_FALSE(d.before.empty());
    for (const auto& spec : d.before) {
        EXPECT_EQ(spec.ip_version, 6);
        EXPECT_TRUE(spec.flags & tcp_flag::rst);
    }
    EXPECT_NE(d.log.find("[fd77:1::2]:40000->[fd77:3::2]:443"), std::string::npos) << d.log;
}

TEST(Engine, AFamilyRuleSparesTheOtherFamily) {
    Engine v4_only(rules_from(sni_rule("family = \"ipv4\"")), {});
    EXPECT_FALSE(triggered(hello_over_ipv6(v4_only)));
    handshake(v4_only, 0);
    EXPECT_TRUE(triggered(send_data(v4_only, fixture("openssl_sni.bin"), 1)));
    Engine v6_only(rules_from(sni_rule("family = \"ipv6\"")), {});
    EXPECT_TRUE(triggered(hello_over_ipv6(v6_only)));
    handshake(v6_only, 0);
    EXPECT_FALSE(triggered(send_data(v6_only, fixture("openssl_sni.bin"), 1)));
}

TEST(Engine, MalformedPacketsAreCountedAndAccepted) {
    Engine engine(rules_from(sni_rule("")), {});
    std::vector<uint8_t> junk = {0x45, 0x00, 0x00};
    EXPECT_FALSE(engine.handle(junk, 0).drop);
    std::vector<uint8_t> empty;
    EXPECT_FALSE(engine.handle(empty, 0).drop);
    // A TLS-looking first segment with a lying length: a named anomaly, flow spared.
    handshake(engine, 0);
    auto hello = fixture("openssl_sni.bin");
    hello[3] = 0x00;
    hello[4] = 0x10;  // record length 16: the handshake inside is truncated
    EXPECT_FALSE(triggered(send_data(engine, hello, 1)));
    const auto& anomalies = engine.counters().anomalies;
    EXPECT_GE(anomalies.size(), 1u);
    EXPECT_NE(engine.counters_line().find("anomaly:packet:"), std::string::npos);
    EXPECT_EQ(engine.counters().packets, engine.counters().accepted + engine.counters().dropped);
}

}  // namespace
}  // namespace sniprobe::middlebox
