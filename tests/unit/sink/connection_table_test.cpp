// The sink's connection table: what it records per connection, the ClientHello across
// segments, port reuse, and the bounds that keep a flood from growing it.
#include "sink/connection_table.hpp"

#include <gtest/gtest.h>

#include "sink_packets.hpp"

namespace sniprobe::sink {
namespace {

using test::packet;

TEST(ConnectionTable, RecordsSynHelloAndResetsOfOneConnection) {
    ConnectionTable table(100, {443});
    auto hello = test::load_hello("openssl_sni.bin");
    table.observe(packet(true, 40000, tcp_flag::syn, 1000, 62, 777), 10.0);
    table.observe(packet(false, 40000, tcp_flag::syn | tcp_flag::ack, 5000), 10.001);
    table.observe(packet(true, 40000, tcp_flag::ack | tcp_flag::psh, 1001, 62, 778, &hello),
                  10.002);
    table.observe(packet(true, 40000, tcp_flag::rst | tcp_flag::ack,
                         1001 + static_cast<uint32_t>(hello.size()), 53, 31415),
                  10.004);
    ASSERT_EQ(table.size(), 1u);
    auto records = table.query("", 0, 1e12, 10);
    ASSERT_EQ(records.size(), 1u);
    const ConnectionRecord& r = *records[0];
    EXPECT_EQ(r.client, "10.77.1.2");
    EXPECT_EQ(r.client_port, 40000);
    EXPECT_EQ(r.server, "10.77.3.2");
    EXPECT_TRUE(r.syn_seen);
    EXPECT_EQ(r.syn_ttl, 62);
    EXPECT_EQ(r.syn_ip_id, 777);
    EXPECT_EQ(r.syn_seq, 1000u);
    EXPECT_TRUE(r.client_hello_seen);
    EXPECT_EQ(r.sni, "blocked.test");
    ASSERT_EQ(r.received.size(), 1u);
    EXPECT_EQ(r.received[0].ttl, 53);
    EXPECT_EQ(r.received[0].ip_id, 31415);
    EXPECT_EQ(r.server_bytes, 0u);
    EXPECT_TRUE(r.sent_rst.empty());
}

TEST(ConnectionTable, ReassemblesAHelloSplitAcrossSegments) {
    ConnectionTable table(10, {443});
    auto hello = test::load_hello("curl_h2.bin");
    std::vector<uint8_t> first(hello.begin(), hello.begin() + 20),
        second(hello.begin() + 20, hello.end());
    table.observe(packet(true, 40001, tcp_flag::syn, 0), 1);
    table.observe(packet(true, 40001, tcp_flag::ack, 1, 62, 2, &first), 2);
    EXPECT_FALSE(table.query("", 0, 10, 1)[0]->client_hello_seen);
    table.observe(packet(true, 40001, tcp_flag::ack, 21, 62, 3, &second), 3);
    const auto& r = *table.query("", 0, 10, 1)[0];
    EXPECT_TRUE(r.client_hello_seen);
    EXPECT_EQ(r.sni, "blocked.test");
    EXPECT_DOUBLE_EQ(r.client_hello_t, 3);
}

TEST(ConnectionTable, GarbageIsAnAnomalyNotAHello) {
    ConnectionTable table(10, {443});
    std::vector<uint8_t> junk = {'G', 'E', 'T', ' ', '/', '\r', '\n'};
    table.observe(packet(true, 40002, tcp_flag::syn, 0), 1);
    table.observe(packet(true, 40002, tcp_flag::ack, 1, 62, 2, &junk), 2);
    const auto& r = *table.query("", 0, 10, 1)[0];
    EXPECT_FALSE(r.client_hello_seen);
    EXPECT_EQ(r.hello_anomaly, "not_tls");
}

TEST(ConnectionTable, RecordsWhatTheServerSent) {
    ConnectionTable table(10, {443});
    std::vector<uint8_t> flight(1200, 0x16);
    table.observe(packet(true, 40003, tcp_flag::syn, 0), 1);
    table.observe(packet(false, 40003, tcp_flag::ack, 100, 64, 9, &flight), 2);
    table.observe(packet(false, 40003, tcp_flag::rst, 1300, 64, 10), 3);
    const auto& r = *table.query("", 0, 10, 1)[0];
    EXPECT_EQ(r.server_bytes, 1200u);
    EXPECT_DOUBLE_EQ(r.server_answer_t, 2);
    ASSERT_EQ(r.sent_rst.size(), 1u);
    EXPECT_TRUE(r.received.empty());
}

TEST(ConnectionTable, ANewIsnOnAKnownTupleIsANewConnection) {
    ConnectionTable table(10, {443});
    table.observe(packet(true, 40004, tcp_flag::syn, 1000), 1);
    table.observe(packet(true, 40004, tcp_flag::syn, 1000),
                  1.5);  // retransmitted SYN: same connection
    table.observe(packet(true, 40004, tcp_flag::syn, 9000), 5);
    auto records = table.query("", 0, 10, 10);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0]->syn_seq, 1000u);
    EXPECT_EQ(records[1]->syn_seq, 9000u);
}

TEST(ConnectionTable, TheRingKeepsOnlyTheLastConnections) {
    ConnectionTable table(100, {443});
    for (uint32_t i = 0; i < 1000; ++i)
        table.observe(packet(true, static_cast<uint16_t>(20000 + i), tcp_flag::syn, i), i);
    EXPECT_EQ(table.size(), 100u);
    EXPECT_EQ(table.counters().evicted, 900u);
    auto records = table.query("", 0, 1e9, 1000);
    ASSERT_EQ(records.size(), 100u);
    EXPECT_EQ(records.front()->client_port, 20900);
    // An evicted tuple seen again starts a fresh record instead of touching a stale one.
    table.observe(packet(true, 20000, tcp_flag::rst, 5), 2000);
    EXPECT_EQ(table.size(), 100u);
    EXPECT_EQ(table.query("", 1999, 1e9, 10).size(), 1u);
}

TEST(ConnectionTable, BoundsEventsPerConnection) {
    ConnectionTable table(10, {443});
    table.observe(packet(true, 40005, tcp_flag::syn, 0), 1);
    for (int i = 0; i < 1000; ++i)
        table.observe(packet(true, 40005, tcp_flag::rst, static_cast<uint32_t>(i)), 2);
    EXPECT_EQ(table.query("", 0, 10, 1)[0]->received.size(),
              ConnectionTable::k_max_events_per_connection);
}

TEST(ConnectionTable, QueryFiltersByClientAndTime) {
    ConnectionTable table(10, {443});
    table.observe(packet(true, 40006, tcp_flag::syn, 0), 100);
    table.observe(packet(true, 40007, tcp_flag::syn, 0), 200);
    EXPECT_EQ(table.query("10.77.1.2", 150, 1e9, 10).size(), 1u);
    EXPECT_EQ(table.query("10.77.1.3", 0, 1e9, 10).size(), 0u);
    EXPECT_EQ(table.query("", 0, 150, 10).size(), 1u);
    EXPECT_EQ(table.query("", 0, 1e9, 1).size(), 1u);
}

TEST(ConnectionTable, IgnoresUnwatchedPorts) {
    ConnectionTable table(10, {8443});
    table.observe(packet(true, 40008, tcp_flag::syn, 0), 1);
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.counters().ignored, 1u);
}

}  // namespace
}  // namespace sniprobe::sink
