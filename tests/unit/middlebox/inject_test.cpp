// Sequence arithmetic of the forged packets, end to end through the Engine: given the
// SYN, the SYN-ACK and the ClientHello segment, the exact packets that go out, in order.
// An RST is only accepted with exactly the next sequence number its receiver expects.
#include <gtest/gtest.h>

#include "middlebox/engine.hpp"
#include "middlebox/inject.hpp"
#include "test_packets.hpp"
#include "wire/packet.hpp"

namespace sniprobe::middlebox {
namespace {

using namespace testing;

std::string rule_toml(const std::string& action, const std::string& mode,
                      const std::string& fingerprint) {
    return "[[rule]]\nname = \"t\"\naction = \"" + action + "\"\nmode = \"" + mode +
           "\"\ndelay_ms = 3\n[rule.match]\nsni_exact = \"blocked.test\"\n[rule.fingerprint]\n" +
           fingerprint;
}

const std::string k_seed_fp =
    "count = 1\nflags = \"rst_ack\"\nttl = 53\nip_id = \"fixed:31415\"\nwindow = 0\n";

void expect_to_client(const wire::TcpSpec& s) {
    EXPECT_TRUE(std::equal(k_server.begin(), k_server.end(), s.src.begin()));
    EXPECT_TRUE(std::equal(k_client.begin(), k_client.end(), s.dst.begin()));
    EXPECT_EQ(s.src_port, 443);
    EXPECT_EQ(s.dst_port, k_client_port);
}

void expect_to_server(const wire::TcpSpec& s) {
    EXPECT_TRUE(std::equal(k_client.begin(), k_client.end(), s.src.begin()));
    EXPECT_TRUE(std::equal(k_server.begin(), k_server.end(), s.dst.begin()));
    EXPECT_EQ(s.src_port, k_client_port);
    EXPECT_EQ(s.dst_port, 443);
}

TEST(Inject, OnPathRstBothHoldsInjectsThenReleases) {
    Engine engine(rules_from(rule_toml("rst_both", "on_path", k_seed_fp)), {});
    handshake(engine, 0);
    auto hello = fixture("openssl_sni.bin");
    const uint32_t len = static_cast<uint32_t>(hello.size());
    Decision d = send_data(engine, hello, 10);
    EXPECT_FALSE(d.drop);       // on-path: the original is released...
    EXPECT_EQ(d.delay_ms, 3u);  // ...after being held delay_ms
    ASSERT_EQ(d.before.size(), 1u);
    ASSERT_EQ(d.after.size(), 1u);
    const auto& c = d.before[0];  // to the client, before the release: wins the race
    expect_to_client(c);
    EXPECT_EQ(c.seq, k_server_isn + 1);
    EXPECT_EQ(c.ack, k_client_isn + 1 + len);
    EXPECT_EQ(c.flags, tcp_flag::rst | tcp_flag::ack);
    EXPECT_EQ(c.ttl, 53);
    EXPECT_EQ(c.ip_id, 31415);
    EXPECT_EQ(c.window, 0);
    EXPECT_FALSE(c.df);
    const auto& s = d.after[0];  // to the server, after the hello reached it
    expect_to_server(s);
    EXPECT_EQ(s.seq, k_client_isn + 1 + len);
    EXPECT_EQ(s.ack, k_server_isn + 1);
    EXPECT_NE(d.log.find("rule=t action=rst_both"), std::string::npos);
    EXPECT_NE(d.log.find("10.0.0.2:40000->10.0.0.9:443"), std::string::npos);
    // The bytes that go out decode back to the same fields with valid checksums.
    auto bytes = wire::build_tcp_ipv4(c);
    EXPECT_TRUE(wire::tcp_checksums_ok(bytes));
    auto back = wire::decode_tcp_packet(bytes);
    ASSERT_TRUE(back.packet);
    EXPECT_EQ(back.packet->seq, k_server_isn + 1);
    EXPECT_EQ(back.packet->ttl, 53);
    EXPECT_EQ(back.packet->ip_id, 31415);
}

TEST(Inject, InPathDropsTheOriginalAndResetsTheServerAtItsSeq) {
    Engine engine(rules_from(rule_toml("rst_both", "in_path", k_seed_fp)), {});
    handshake(engine, 0);
    Decision d = send_data(engine, fixture("openssl_sni.bin"), 10);
    EXPECT_TRUE(d.drop);
    EXPECT_TRUE(d.after.empty());
    ASSERT_EQ(d.before.size(), 2u);
    expect_to_client(d.before[0]);
    expect_to_server(d.before[1]);
    EXPECT_EQ(d.before[1].seq, k_client_isn + 1);  // the hello never reached the server
    // Later packets of the cut flow vanish, both ways.
    auto retransmit = send_data(engine, fixture("openssl_sni.bin"), 20);
    EXPECT_TRUE(retransmit.drop);
    EXPECT_TRUE(retransmit.before.empty());
}

TEST(Inject, CountSpreadFlagsAndIpIds) {
    std::string fp =
        "count = 3\nflags = \"rst\"\nttl = 99\nip_id = \"copy\"\nseq_spread = [0, 1460, 4380]\n";
    Engine engine(rules_from(rule_toml("rst_client", "on_path", fp)), {});
    handshake(engine, 0);
    Decision d = send_data(engine, fixture("openssl_sni.bin"), 10);
    ASSERT_EQ(d.before.size(), 3u);
    EXPECT_TRUE(d.after.empty());  // rst_client: the server hears nothing
    const uint32_t base = k_server_isn + 1;
    EXPECT_EQ(d.before[0].seq, base);
    EXPECT_EQ(d.before[1].seq, base + 1460);
    EXPECT_EQ(d.before[2].seq, base + 4380);
    for (const auto& s : d.before) {
        EXPECT_EQ(s.flags, tcp_flag::rst);
        EXPECT_EQ(s.ack, 0u);      // a bare RST carries no acknowledgment
        EXPECT_EQ(s.ip_id, 1234);  // copied from the trigger
        EXPECT_EQ(s.ttl, 99);
    }
}

TEST(Inject, ARandomIpIdIsDrawnOncePerBurst) {
    // GFW type II sends three identical RST+ACKs: the copies share one random IP ID.
    std::string fp =
        "count = 3\nflags = \"rst_ack\"\nttl = 47\nip_id = \"random\"\nseq_spread = [0]\n";
    Engine engine(rules_from(rule_toml("rst_client", "on_path", fp)), {});
    handshake(engine, 0);
    Decision d = send_data(engine, fixture("openssl_sni.bin"), 10);
    ASSERT_EQ(d.before.size(), 3u);
    EXPECT_NE(d.before[0].ip_id, 0);
    for (const auto& s : d.before) {
        EXPECT_EQ(s.ip_id, d.before[0].ip_id);
        EXPECT_EQ(s.seq, d.before[0].seq);
    }
}

TEST(Inject, ServerBytesAdvanceTheClientRstSeq) {
    // On port 80 the server may have sent bytes before the trigger (a 100-continue,
    // a banner): the client's RST must start past them.
    Engine engine(
        rules_from(
            "[[rule]]\nname='h'\naction='rst_client'\n[rule.match]\nhttp_host='blocked.test'\n"),
        {});
    handshake(engine, 0, k_client_port, 80);
    engine.handle(pkt(false, k_server_isn + 1, k_client_isn + 1, tcp_flag::psh | tcp_flag::ack,
                      std::vector<uint8_t>(100, 'x'), 0, k_client_port, 80),
                  5);
    std::string req = "GET / HTTP/1.1\r\nHost: blocked.test\r\n\r\n";
    Decision d =
        engine.handle(pkt(true, k_client_isn + 1, k_server_isn + 1, tcp_flag::psh | tcp_flag::ack,
                          std::vector<uint8_t>(req.begin(), req.end()), 9, k_client_port, 80),
                      10);
    ASSERT_EQ(d.before.size(), 1u);
    EXPECT_EQ(d.before[0].seq, k_server_isn + 1 + 100);
}

TEST(Inject, FinClientAndBlockpage) {
    Engine fin(rules_from(rule_toml("fin_client", "in_path", k_seed_fp)), {});
    handshake(fin, 0);
    auto hello = fixture("openssl_sni.bin");
    Decision d = fin.handle(
        pkt(true, k_client_isn + 1, k_server_isn + 1, tcp_flag::psh | tcp_flag::ack, hello), 1);
    ASSERT_EQ(d.before.size(), 1u);
    EXPECT_EQ(d.before[0].flags, tcp_flag::fin | tcp_flag::ack);
    EXPECT_EQ(d.before[0].seq, k_server_isn + 1);
    EXPECT_EQ(d.before[0].ack, k_client_isn + 1 + hello.size());
    EXPECT_TRUE(d.drop);

    Engine page(rules_from("[[rule]]\nname='b'\naction='blockpage'\nmode='in_path'\n[rule.match]\n"
                           "http_host='blocked.test'\nports=[80]\n"),
                {});
    handshake(page, 0, k_client_port, 80);
    std::string req = "GET / HTTP/1.1\r\nHost: Blocked.Test:80\r\nAccept: */*\r\n\r\n";
    std::vector<uint8_t> bytes(req.begin(), req.end());
    Decision b = send_data(page, bytes, 1, k_client_port, 80);
    ASSERT_EQ(b.before.size(), 3u);  // page, FIN to the client; RST to the server
    const std::string& body = blockpage_response();
    EXPECT_EQ(std::string(b.before[0].payload.begin(), b.before[0].payload.end()), body);
    EXPECT_NE(body.find("Server: Beaver"), std::string::npos);
    EXPECT_NE(body.find("403"), std::string::npos);
    EXPECT_EQ(b.before[0].seq, k_server_isn + 1);
    EXPECT_EQ(b.before[0].ack, k_client_isn + 1 + bytes.size());
    EXPECT_EQ(b.before[1].flags, tcp_flag::fin | tcp_flag::ack);
    EXPECT_EQ(b.before[1].seq, k_server_isn + 1 + body.size());
    EXPECT_EQ(b.before[2].flags & tcp_flag::rst, tcp_flag::rst);
    EXPECT_EQ(b.before[2].seq, k_client_isn + 1);
    EXPECT_TRUE(b.drop);
}

TEST(Inject, ZeroIpIdIsSentWithDf) {
    Fingerprint fp;
    fp.ip_id = IpIdKind::zero;
    Rule rule;
    rule.action = Action::rst_client;
    rule.fingerprint = fp;
    std::mt19937_64 rng(1);
    TriggerSegment t;
    auto plan = plan_injection(rule, t, rng);
    ASSERT_EQ(plan.before_verdict.size(), 1u);
    EXPECT_EQ(plan.before_verdict[0].ip_id, 0);
    EXPECT_TRUE(plan.before_verdict[0].df);  // Linux rewrites a zero ID without DF
}

TEST(Inject, SequenceArithmeticWraps) {
    Rule rule;
    rule.action = Action::rst_both;
    rule.mode = Mode::on_path;
    std::mt19937_64 rng(1);
    TriggerSegment t;
    t.client_seq = 0xFFFFFF00u;
    t.payload_len = 0x200;
    t.server_next = 0xFFFFFFFFu;
    auto plan = plan_injection(rule, t, rng);
    ASSERT_EQ(plan.after_verdict.size(), 1u);
    EXPECT_EQ(plan.after_verdict[0].seq, 0x100u);
    EXPECT_EQ(plan.before_verdict.at(0).ack, 0x100u);
}

}  // namespace
}  // namespace sniprobe::middlebox
