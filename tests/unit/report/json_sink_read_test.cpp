// read_json() brings the sink section (diagnose --sink) back, so `sniprobe report
// run.json --html` shows the server's view beside the ladders as diagnose --html does.
#include <gtest/gtest.h>

#include <sstream>

#include "report/json_report.hpp"
#include "rich_diagnosis.hpp"

namespace sniprobe {
namespace {

TEST(JsonSinkRead, SinkSectionRoundTrips) {
    Diagnosis d = testing::rich_diagnosis();
    SinkReport sink;
    sink.url = "http://10.77.3.2:8444";
    sink.records = 12;
    sink.trials_matched = 9;
    sink.trials_unmatched = 1;
    SinkTrialFinding f;
    f.trial_id = 2;
    f.matched_by = "4-tuple";
    f.syn_seen = true;
    f.syn_ttl = 62;
    f.client_hello_seen = true;
    f.server_name = "example.com";
    f.server_answered = true;
    f.server_sent_rst = false;
    f.rst_received = 2;
    f.rst_not_sent_by_us = 1;
    f.rst_ttls = {53, 64};
    f.finding = SinkFinding::two_sided;
    sink.trials.push_back(f);
    sink.trials.push_back(SinkTrialFinding{});  // every field at its default
    d.sink = sink;

    std::stringstream first;
    write_json(first, d);
    auto back = read_json(first);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_TRUE(back->sink.has_value());
    const SinkReport& s = *back->sink;
    EXPECT_EQ(s.url, sink.url);
    EXPECT_EQ(s.failure, "");
    EXPECT_EQ(s.records, 12);
    EXPECT_EQ(s.trials_matched, 9);
    EXPECT_EQ(s.trials_unmatched, 1);
    ASSERT_EQ(s.trials.size(), 2u);
    const SinkTrialFinding& g = s.trials[0];
    EXPECT_EQ(g.trial_id, 2);
    EXPECT_EQ(g.matched_by, "4-tuple");
    EXPECT_TRUE(g.syn_seen);
    EXPECT_EQ(g.syn_ttl, 62);
    EXPECT_TRUE(g.client_hello_seen);
    EXPECT_EQ(g.server_name, "example.com");
    EXPECT_TRUE(g.server_answered);
    EXPECT_FALSE(g.server_sent_rst);
    EXPECT_EQ(g.rst_received, 2);
    EXPECT_EQ(g.rst_not_sent_by_us, 1);
    EXPECT_EQ(g.rst_ttls, (std::vector<int>{53, 64}));
    EXPECT_EQ(g.finding, SinkFinding::two_sided);
    EXPECT_FALSE(s.trials[1].syn_ttl.has_value());

    std::stringstream second;
    write_json(second, *back);
    EXPECT_EQ(first.str(), second.str());
}

TEST(JsonSinkRead, NoSinkStaysAbsentAndAFailureIsKept) {
    Diagnosis d = testing::rich_diagnosis();
    std::stringstream none;
    write_json(none, d);
    auto back = read_json(none);
    ASSERT_TRUE(back);
    EXPECT_FALSE(back->sink.has_value());

    d.sink = SinkReport{};
    d.sink->url = "http://192.0.2.1:8444";
    d.sink->failure = "connection refused";
    std::stringstream failed;
    write_json(failed, d);
    back = read_json(failed);
    ASSERT_TRUE(back && back->sink);
    EXPECT_EQ(back->sink->failure, "connection refused");
}

TEST(JsonSinkRead, WrongTypeIsAnError) {
    std::istringstream in(
        R"({"schema_version":1,"sink":{"url":"x","trials":[{"rst_ttls":"53"}]}})");
    EXPECT_FALSE(read_json(in));
}

}  // namespace
}  // namespace sniprobe
