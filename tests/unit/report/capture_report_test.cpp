// analyze's reports of a capture's flows: the JSON flow list is written straight from the
// FlowList (no JSON tree per flow), so every field, null and escape is checked on the
// parsed document; the text report lists a bounded number of flow rows per name.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

#include "report/capture_text.hpp"
#include "report/json_report.hpp"

namespace sniprobe {
namespace {

using nlohmann::json;

FlowFacts odd_flow() {
    FlowFacts f;
    f.trial_id = 0;
    f.file = "dir/with \"quotes\" and \\ back.pcap";
    f.client = "2001:db8::1";
    f.server = "192.0.2.7";
    f.client_port = 50000;
    f.server_port = 443;
    f.sni = "caf\xc3\xa9.test";               // UTF-8 kept
    f.hello_shape = "tab\there\x01";          // control characters escaped
    f.detail = std::string("bad \xff byte");  // invalid UTF-8 replaced
    f.outcome = FlowOutcome::reset;
    f.by = FlowSide::server;
    f.probe_ttl = 7;
    f.syn_frame = 1;
    f.end_frame = 9;
    f.packet_frames = {1, 4, 9};
    f.anomalies = {"rst_before_trigger"};
    return f;
}

FlowFacts plain_flow(int id) {
    FlowFacts f;
    f.trial_id = id;
    f.file = "c.pcap";
    f.client = "198.51.100.1";
    f.server = "192.0.2.7";
    f.client_port = static_cast<uint16_t>(40000 + id);
    f.server_port = 443;
    f.sni = "example.test";
    f.outcome = FlowOutcome::completed;
    return f;
}

json written(const CaptureAnalysis& c) {
    std::ostringstream out;
    write_capture_json(out, c);
    return json::parse(out.str());
}

TEST(CaptureReport, JsonFlowsCarryEveryFieldAndEscape) {
    CaptureAnalysis c;
    c.flows.push_back(odd_flow());
    c.flows.push_back(plain_flow(1));
    const json doc = written(c);
    ASSERT_EQ(doc["flows"].size(), 2U);
    const json& f = doc["flows"][0];
    EXPECT_EQ(f["id"], 0);
    EXPECT_EQ(f["file"], "dir/with \"quotes\" and \\ back.pcap");
    EXPECT_EQ(f["client"], "2001:db8::1");
    EXPECT_EQ(f["client_port"], 50000);
    EXPECT_EQ(f["server"], "192.0.2.7");
    EXPECT_EQ(f["server_port"], 443);
    EXPECT_EQ(f["server_name"], "caf\xc3\xa9.test");
    EXPECT_EQ(f["hello_shape"], "tab\there\x01");
    EXPECT_EQ(f["detail"], "bad \xef\xbf\xbd byte");
    EXPECT_EQ(f["outcome"], "reset");
    EXPECT_EQ(f["by"], "server");
    EXPECT_EQ(f["probe_ttl"], 7);
    EXPECT_TRUE(f["icmp_router"].is_null());
    EXPECT_EQ(f["frames"]["syn"], 1);
    EXPECT_TRUE(f["frames"]["syn_ack"].is_null());
    EXPECT_TRUE(f["frames"]["client_hello"].is_null());
    EXPECT_EQ(f["frames"]["end"], 9);
    EXPECT_EQ(f["frames"]["packets"], json::array({1, 4, 9}));
    EXPECT_EQ(f["anomalies"], json::array({"rst_before_trigger"}));
    const json& g = doc["flows"][1];
    EXPECT_TRUE(g["hello_shape"].is_null());
    EXPECT_TRUE(g["by"].is_null());
    EXPECT_TRUE(g["detail"].is_null());
    EXPECT_TRUE(g["probe_ttl"].is_null());
    EXPECT_EQ(g["frames"]["packets"], json::array());
    EXPECT_EQ(g["anomalies"], json::array());
}

TEST(CaptureReport, JsonWithoutFlows) {
    const json doc = written(CaptureAnalysis{});
    EXPECT_EQ(doc["flows"], json::array());
    EXPECT_EQ(doc["names"], json::array());
}

TEST(CaptureReport, TextListsAFewRowsPerNameAndEveryFlowWithEvidence) {
    CaptureAnalysis c;
    NameVerdict n;
    n.name = "example.test";
    constexpr int k_flows = 80;
    for (int i = 0; i < k_flows; ++i) {
        FlowFacts f = plain_flow(i);
        if (i == 70) f.anomalies = {"snaplen_cut_hello"};
        c.flows.push_back(f);
        n.flows.push_back(i);
    }
    RstFinding r;
    r.trial_id = 75;
    n.diagnosis.analysis.rsts.push_back(r);
    c.names.push_back(n);
    std::ostringstream out;
    write_capture_text(out, c);
    const std::string text = out.str();
    EXPECT_NE(text.find("198.51.100.1:40049 "), std::string::npos);  // row 50
    EXPECT_EQ(text.find("198.51.100.1:40050 "), std::string::npos);  // beyond the rows
    EXPECT_NE(text.find("198.51.100.1:40070 "), std::string::npos);  // an anomaly
    EXPECT_NE(text.find("198.51.100.1:40075 "), std::string::npos);  // an RST finding
    EXPECT_NE(text.find("... 28 more flows (--json lists them all)"), std::string::npos);
}

}  // namespace
}  // namespace sniprobe
