// The records' wire format round-trips, and a malformed answer is an error, not a crash.
#include "sink/records_json.hpp"

#include <gtest/gtest.h>

#include "sink_packets.hpp"

namespace sniprobe::sink {
namespace {

TEST(RecordsJson, RoundTrips) {
    ConnectionTable table(10, {443});
    auto hello = test::load_hello("openssl_sni.bin");
    table.observe(test::packet(true, 40000, tcp_flag::syn, 1000, 62, 7), 100.25);
    table.observe(test::packet(true, 40000, tcp_flag::ack, 1001, 62, 8, &hello), 100.5);
    table.observe(test::packet(true, 40000, tcp_flag::rst | tcp_flag::ack, 1600, 53, 31415),
                  100.75);
    table.observe(test::packet(false, 40000, tcp_flag::rst, 77, 64, 0), 101);
    auto doc = decode_records(encode_records(table.query("", 0, 1e9, 10), 102));
    ASSERT_TRUE(doc) << doc.error().message;
    ASSERT_EQ(doc->records.size(), 1u);
    const auto& r = doc->records[0];
    EXPECT_EQ(r.client, "10.77.1.2");
    EXPECT_EQ(r.server_port, 443);
    EXPECT_TRUE(r.syn_seen);
    EXPECT_EQ(r.syn_seq, 1000u);
    EXPECT_DOUBLE_EQ(r.syn_t, 100.25);
    EXPECT_EQ(r.sni, "blocked.test");
    ASSERT_EQ(r.received.size(), 1u);
    EXPECT_EQ(r.received[0].flags, tcp_flag::rst | tcp_flag::ack);
    EXPECT_EQ(r.received[0].ttl, 53);
    EXPECT_EQ(r.received[0].ip_id, 31415);
    ASSERT_EQ(r.sent_rst.size(), 1u);
}

TEST(RecordsJson, TlsOutcomeJoinsTheCapturedRecordAndRoundTrips) {
    ConnectionTable table(10, {443});
    table.observe(test::packet(true, 40000, tcp_flag::syn, 1000, 62, 7), 100.25);
    TlsNote note;
    note.client = "10.77.1.2";
    note.client_port = 40000;
    note.server = test::packet(true, 40000, tcp_flag::syn, 1000).dst_string();
    note.server_port = 443;
    note.completed = true;
    note.server_name = "ok.test";
    note.version = "TLSv1.3";
    table.note_tls(note, 100.5);
    ASSERT_EQ(table.size(), 1u);  // the same 4-tuple: joined, not a second record
    auto json = encode_records(table.query("", 0, 1e9, 10), 102);
    EXPECT_NE(json.find("\"tls_completed\":true"), std::string::npos) << json;
    auto doc = decode_records(json);
    ASSERT_TRUE(doc) << doc.error().message;
    const auto& r = doc->records.at(0);
    EXPECT_TRUE(r.syn_seen);
    EXPECT_TRUE(r.tls_terminated);
    EXPECT_TRUE(r.tls_completed);
    EXPECT_EQ(r.tls_server_name, "ok.test");
    EXPECT_EQ(r.tls_version, "TLSv1.3");
    EXPECT_DOUBLE_EQ(r.tls_t, 100.5);
}

TEST(RecordsJson, MalformedAnswersAreErrors) {
    for (const char* bad : {"", "[]", "{", "{\"connections\": 5}", "{\"connections\": [1]}",
                            "{\"connections\": [{\"client_port\": \"x\"}]}",
                            "{\"connections\": [{\"syn\": {\"ttl\": []}}]}"}) {
        EXPECT_FALSE(decode_records(bad)) << bad;
    }
    EXPECT_TRUE(decode_records("{\"connections\": [{}]}"));  // every field optional
}

}  // namespace
}  // namespace sniprobe::sink
