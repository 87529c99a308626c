// Aggregator and ClientTable: counts from the recorded lab log, filters, the bounded
// client table (exact until it overflows, the heavy hitter kept after), widening buckets.
#include "logs/aggregate.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "logs/read_logs.hpp"

namespace sniprobe::logs {
namespace {

std::string fixture(const std::string& name) {
    return std::string(SNIPROBE_TEST_DATA) + "/nginx/" + name;
}

LogSummary read_fixture(const std::string& name, AggregateOptions options = {}) {
    auto s = read_logs({fixture(name)}, options);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? *s : LogSummary{};
}

ErrorLine reset_from(std::string_view client, int64_t time_s) {
    ErrorLine l;
    l.time_s = time_s;
    l.client = client;
    l.failure_class = FailureClass::handshake_reset;
    l.reason = "Connection reset by peer";
    return l;
}

TEST(Aggregate, SeedLogCountsResetsPerClient) {
    LogSummary s = read_fixture("seed_error.log");
    EXPECT_EQ(s.lines, 48u);
    EXPECT_EQ(s.entries, 48u);
    // 9 blocked.test resets (*6..*15 but *13), the perl RST mid-hello (*39), the RST before
    // the hello (*41); see tests/data/nginx/README.txt.
    EXPECT_EQ(s.classes[index(FailureClass::handshake_reset)], 11u);
    EXPECT_EQ(s.classes[index(FailureClass::handshake_timeout)], 1u);
    EXPECT_EQ(s.classes[index(FailureClass::handshake_alert)], 2u);
    EXPECT_EQ(s.classes[index(FailureClass::handshake_protocol_error)], 3u);
    EXPECT_EQ(s.handshake_failures, 25u);
    ASSERT_EQ(s.clients_distinct, 2u);  // the client, and the lab's own readiness checks
    EXPECT_TRUE(s.clients_exact);
    EXPECT_EQ(s.clients[0].address, "10.77.1.2");
    EXPECT_EQ(s.clients[0].failures, 23u);
    EXPECT_EQ(s.clients[0].classes[index(FailureClass::handshake_reset)], 11u);
    EXPECT_EQ(s.class_rows.front().failure_class, FailureClass::handshake_reset);
    ASSERT_FALSE(s.class_rows.front().reasons.empty());
    EXPECT_EQ(s.class_rows.front().reasons[0].reason, "Connection reset by peer");
    EXPECT_EQ(s.bucket_s, 60);
    ASSERT_EQ(s.buckets.size(), 2u);  // 15:19 and 15:20 (the timeout)
    EXPECT_EQ(s.buckets[1].classes[index(FailureClass::handshake_timeout)], 1u);
}

TEST(Aggregate, VariantsLogCountsAnomaliesAndLeavesUpstreamOut) {
    LogSummary s = read_fixture("variants_error.log");
    EXPECT_EQ(s.anomalies[static_cast<std::size_t>(LineAnomaly::continuation)], 2u);
    EXPECT_EQ(s.anomalies[static_cast<std::size_t>(LineAnomaly::no_timestamp)], 3u);
    EXPECT_EQ(s.anomalies[static_cast<std::size_t>(LineAnomaly::bad_level)], 1u);
    EXPECT_EQ(s.classes[index(FailureClass::upstream_handshake)], 1u);
    EXPECT_EQ(s.handshake_failures, 7u);
    EXPECT_EQ(s.clients[0].address, "198.51.100.20");
    EXPECT_EQ(s.clients[0].failures, 3u);
}

TEST(Aggregate, FiltersByClientAndTime) {
    AggregateOptions by_client;
    by_client.client = "198.51.100.20";
    LogSummary s = read_fixture("variants_error.log", by_client);
    EXPECT_EQ(s.handshake_failures, 3u);
    EXPECT_EQ(s.clients.size(), 1u);
    AggregateOptions window;
    window.since_s = parse_time("2019/03/01 10:01");
    window.until_s = parse_time("2019/03/01 10:02");
    LogSummary w = read_fixture("variants_error.log", window);
    EXPECT_EQ(w.handshake_failures, 1u);  // *5 at 10:01:05
    EXPECT_GT(w.filtered_out, 0u);
}

TEST(ClientTable, ExactUntilFullThenKeepsTheHeavyHitter) {
    // Space-Saving keeps every client with more than total/capacity failures: here 50 of
    // 252 with capacity 10 (threshold 25.2), however the 202 one-off clients churn.
    ClientTable table(10);
    for (int i = 0; i < 50; ++i) table.add("10.0.0.1", FailureClass::handshake_reset, i);
    table.add("10.0.0.2", FailureClass::handshake_eof, 1);
    table.add("10.0.0.3", FailureClass::handshake_eof, 2);
    EXPECT_FALSE(table.overflowed());
    EXPECT_EQ(table.distinct_clients(), 3u);
    for (int i = 0; i < 200; ++i)
        table.add("192.0.2." + std::to_string(i), FailureClass::handshake_eof, 3);
    EXPECT_TRUE(table.overflowed());
    EXPECT_EQ(table.size(), 10u);
    auto rows = table.rows();
    EXPECT_EQ(rows[0].address, "10.0.0.1");
    EXPECT_EQ(rows[0].failures, 50u);
    EXPECT_EQ(rows[0].overcount, 0u);
    EXPECT_EQ(rows[0].classes[index(FailureClass::handshake_reset)], 50u);
    EXPECT_GT(rows[1].overcount, 0u);  // a churned slot says its count is a bound
    uint64_t total = 0;
    for (const auto& r : rows) total += r.failures;
    EXPECT_EQ(total, 252u);  // Space-Saving keeps the sum exact
    // 203 distinct clients, estimated within a few percent.
    EXPECT_NEAR(static_cast<double>(table.distinct_clients()), 203.0, 10.0);
}

TEST(DistinctCounter, EstimatesLargeCardinalities) {
    DistinctCounter counter;
    for (int i = 0; i < 100000; ++i) counter.add("client-" + std::to_string(i));
    EXPECT_NEAR(static_cast<double>(counter.estimate()), 100000.0, 5000.0);
}

TEST(Aggregate, BucketsWidenToStayBounded) {
    AggregateOptions options;
    options.max_buckets = 10;
    Aggregator a(options);
    const int64_t t0 = civil_seconds(2026, 1, 1, 0, 0, 0);
    for (int minute = 0; minute < 120; ++minute) a.add(reset_from("10.0.0.1", t0 + minute * 60));
    LogSummary s = a.summary();
    EXPECT_LE(s.buckets.size(), 10u);
    EXPECT_EQ(s.bucket_s, 900);  // 1 min -> 5 min (24 buckets) -> 15 min (8)
    uint64_t total = 0;
    for (const auto& b : s.buckets) total += b.failures;
    EXPECT_EQ(total, 120u);
    EXPECT_EQ(next_bucket_width(3600), 21600);
    EXPECT_EQ(next_bucket_width(604800), 1209600);
}

TEST(Aggregate, ReasonsAreBoundedPerClass) {
    AggregateOptions options;
    options.max_reasons = 2;
    Aggregator a(options);
    const std::string reasons[] = {"a", "b", "c", "d"};
    for (const auto& r : reasons) {
        ErrorLine l = reset_from("10.0.0.1", 0);
        l.reason = r;
        a.add(l);
    }
    LogSummary s = a.summary();
    ASSERT_EQ(s.class_rows.size(), 1u);
    EXPECT_EQ(s.class_rows[0].reasons.size(), 3u);  // a, b, (other)
    EXPECT_EQ(s.class_rows[0].reasons[0].reason, "(other)");
    EXPECT_EQ(s.class_rows[0].reasons[0].count, 2u);
}

}  // namespace
}  // namespace sniprobe::logs
