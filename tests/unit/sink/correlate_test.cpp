// Correlation of our trials with the server's records, one scenario per finding: the
// story's two-sided reset, a reset that reached only us, a dropped ClientHello, a lost
// answer, the server's own reset — plus the NAT fallbacks (ISN, then time + SNI). The
// E_SINK_* evidence the findings become is the verdict's (tests/unit/verdict/).
#include "sink/correlate.hpp"

#include <gtest/gtest.h>

namespace sniprobe::sink {
namespace {

constexpr double k_start = 1700000000.0;

PacketRecord pkt(Direction d, uint8_t flags, uint32_t seq, double t = 0.01) {
    PacketRecord p;
    p.direction = d;
    p.flags = flags;
    p.seq = seq;
    p.t = t;
    return p;
}

// A trial reset by the path: our SYN (ISN 1000), the ClientHello, an RST in.
Trial reset_trial(int id, uint16_t local_port, bool we_sent_rst = false) {
    Trial t;
    t.id = id;
    t.variant = Variant::sni;
    t.address = "10.77.3.2";
    t.port = 443;
    t.server_name = "blocked.test";
    t.local_port = local_port;
    t.t0 = 1.0;
    t.t = 1.05;
    t.connect_ms = 1;
    t.hello_sent_ms = 2;
    t.failure = FailureCode::connection_reset;
    t.captured = true;
    t.packets = {pkt(Direction::outbound, tcp_flag::syn, 1000),
                 pkt(Direction::inbound, tcp_flag::rst | tcp_flag::ack, 5001)};
    if (we_sent_rst) t.packets.push_back(pkt(Direction::outbound, tcp_flag::rst, 1584));
    return t;
}

ConnectionRecord record(uint16_t client_port, std::string client = "10.77.1.2") {
    ConnectionRecord r;
    r.client = std::move(client);
    r.client_port = client_port;
    r.server = "10.77.3.2";
    r.server_port = 443;
    r.first_seen = r.syn_t = k_start + 1.001;
    r.last_seen = k_start + 1.1;
    r.syn_seen = true;
    r.syn_ttl = 62;
    r.syn_seq = 1000;
    r.client_hello_seen = true;
    r.sni = "blocked.test";
    return r;
}

TcpEvent rst(uint8_t ttl, uint32_t seq) {
    return TcpEvent{k_start + 1.01, tcp_flag::rst | tcp_flag::ack, ttl, 31415, seq, 0};
}

CorrelationContext context() {
    CorrelationContext c;
    c.run_start_unix = k_start;
    c.local_address = "10.77.1.2";
    return c;
}

TEST(Correlate, ForgedResetAtBothEndsIsTwoSided) {
    auto r = record(40000);
    r.received.push_back(rst(53, 1584));
    auto report = correlate_trials({reset_trial(0, 40000)}, {r}, context());
    ASSERT_EQ(report.trials.size(), 1u);
    const auto& f = report.trials[0];
    EXPECT_EQ(f.matched_by, "4-tuple");
    EXPECT_EQ(f.finding, SinkFinding::two_sided);
    EXPECT_EQ(f.rst_received, 1);
    EXPECT_EQ(f.rst_not_sent_by_us, 1);
    EXPECT_EQ(f.rst_ttls, std::vector<int>{53});
}

TEST(Correlate, OurOwnResetReachingTheServerIsNotForged) {
    // The client's kernel answered the server's late ServerHello with an RST: ours.
    auto r = record(40000);
    r.received.push_back(rst(62, 1584));
    r.server_bytes = 1400;
    auto report = correlate_trials({reset_trial(0, 40000, true)}, {r}, context());
    EXPECT_EQ(report.trials[0].rst_not_sent_by_us, 0);
    EXPECT_EQ(report.trials[0].finding, SinkFinding::client_only);
}

TEST(Correlate, AForgedResetWithOurExactSequenceNumberIsStillForged) {
    // The lab's seed box aims at the server with the client's next sequence number —
    // the very number our kernel uses for its own RST a moment later. The TTL tells.
    auto r = record(40000);
    r.received.push_back(rst(53, 1584));
    r.received.push_back(rst(62, 1584));
    auto report = correlate_trials({reset_trial(0, 40000, true)}, {r}, context());
    EXPECT_EQ(report.trials[0].rst_received, 2);
    EXPECT_EQ(report.trials[0].rst_not_sent_by_us, 1);
    EXPECT_EQ(report.trials[0].finding, SinkFinding::two_sided);
}

TEST(Correlate, ForgedIsJudgedByTtlWithoutOurCapture) {
    auto t = reset_trial(0, 40000);
    t.captured = false;
    t.packets.clear();
    auto r = record(40000);
    r.received.push_back(rst(53, 1584));
    EXPECT_TRUE(rst_not_sent_by_us(r.received[0], r, t));
    r.received[0].ttl = 62;  // same TTL as our SYN and no capture to say otherwise: ours
    EXPECT_FALSE(rst_not_sent_by_us(r.received[0], r, t));
    t.captured = true;  // ...but our capture shows we sent no such RST: forged
    EXPECT_TRUE(rst_not_sent_by_us(r.received[0], r, t));
    t.packets.push_back(pkt(Direction::outbound, tcp_flag::rst, 1584));
    EXPECT_FALSE(rst_not_sent_by_us(r.received[0], r, t));
}

TEST(Correlate, DroppedClientHelloAndLostAnswer) {
    Trial timeout = reset_trial(0, 40000);
    timeout.failure = FailureCode::generic_timeout_error;
    timeout.packets.resize(1);
    auto dropped = record(40000);
    dropped.client_hello_seen = false;
    dropped.sni.clear();
    Trial timeout2 = timeout;
    timeout2.id = 1;
    timeout2.local_port = 40001;
    auto lost = record(40001);
    lost.server_bytes = 3000;
    auto report = correlate_trials({timeout, timeout2}, {dropped, lost}, context());
    ASSERT_EQ(report.trials.size(), 2u);
    EXPECT_EQ(report.trials[0].finding, SinkFinding::no_client_hello);
    EXPECT_EQ(report.trials[1].finding, SinkFinding::answer_lost);
}

TEST(Correlate, TheServersOwnResetIsNamed) {
    auto r = record(40000);
    r.sent_rst.push_back(rst(64, 5001));
    auto report = correlate_trials({reset_trial(0, 40000)}, {r}, context());
    EXPECT_EQ(report.trials[0].finding, SinkFinding::server_rst);
}

TEST(Correlate, BehindANatTheIsnThenTimeAndSniMatch) {
    auto natted = record(61000, "198.51.100.7");  // another address and port, same ISN
    natted.received.push_back(rst(53, 1584));
    Trial no_capture = reset_trial(1, 40001);
    no_capture.captured = false;
    no_capture.packets.clear();
    auto by_name = record(62000, "198.51.100.7");
    by_name.syn_seq = 424242;
    by_name.received.push_back(rst(53, 9));
    auto report =
        correlate_trials({reset_trial(0, 40000), no_capture}, {natted, by_name}, context());
    ASSERT_EQ(report.trials.size(), 2u);
    EXPECT_EQ(report.trials[0].matched_by, "isn");
    EXPECT_EQ(report.trials[1].matched_by, "time_sni");
    EXPECT_EQ(report.trials[0].finding, SinkFinding::two_sided);
    EXPECT_EQ(report.trials[1].finding, SinkFinding::two_sided);
}

TEST(Correlate, ARecordExplainsOneTrialOnlyAndOnlyInItsTimeWindow) {
    auto late = record(40000);
    late.syn_t = late.first_seen = k_start + 60;  // the same port reused a minute later
    auto report = correlate_trials({reset_trial(0, 40000), reset_trial(1, 40000)},
                                   {record(40000), late}, context());
    EXPECT_EQ(report.trials_matched, 1);
    EXPECT_EQ(report.trials_unmatched, 1);
}

TEST(Correlate, ConnectionsThatNeverArrivedAreNamedWhenOthersDid) {
    Trial refused = reset_trial(1, 40001);
    refused.failure = FailureCode::generic_timeout_error;
    refused.connect_ms.reset();
    Trial ok = reset_trial(0, 40000);
    ok.failure = {};
    ok.packets.resize(1);
    auto report = correlate_trials({ok, refused}, {record(40000)}, context());
    EXPECT_EQ(report.trials_matched, 1);
    ASSERT_EQ(report.trials.size(), 2u);
    EXPECT_EQ(report.trials[0].finding, SinkFinding::clean);
    EXPECT_EQ(report.trials[1].finding, SinkFinding::no_connection);
}

}  // namespace
}  // namespace sniprobe::sink
