// The JSON contract: DESIGN.md §5's shape and OONI names checked on a parsed document,
// and a full round trip (write, read, write) that must reproduce every field.
#include "report/json_report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "rich_diagnosis.hpp"

namespace sniprobe {
namespace {

using nlohmann::json;
using sniprobe::testing::rich_diagnosis;

std::string to_text(const Diagnosis& d, JsonStyle style = JsonStyle::pretty) {
    std::ostringstream out;
    write_json(out, d, style);
    return out.str();
}

TEST(JsonReport, FollowsTheDesignShapeAndOoniNames) {
    const Diagnosis d = rich_diagnosis();
    const json doc = json::parse(to_text(d));
    EXPECT_EQ(doc["schema_version"], 1);
    EXPECT_EQ(doc["target"]["server_name"], "example.com");
    EXPECT_EQ(doc["target"]["forced_ip"], "203.0.113.10");
    EXPECT_EQ(doc["addresses"][0]["source"], "cli");
    EXPECT_EQ(doc["dns"]["addresses"].size(), 2u);
    EXPECT_TRUE(doc["dns"]["failure"].is_null());

    ASSERT_TRUE(doc["variants"].is_array());
    EXPECT_EQ(doc["variants"][0]["name"], "sni");
    EXPECT_EQ(doc["variants"][0]["trials"], 3);
    EXPECT_EQ(doc["variants"][0]["failures"]["connection_reset"], 3);
    EXPECT_EQ(doc["variants"][0]["ci95"].size(), 2u);

    const json& ok_trial = doc["trials"][0];
    EXPECT_TRUE(ok_trial["failure"].is_null());
    EXPECT_EQ(ok_trial["tls_version"], "TLSv1.3");
    EXPECT_EQ(ok_trial["cipher_suite"], "TLS_AES_256_GCM_SHA384");
    EXPECT_EQ(ok_trial["server_name"], "");
    const json& reset_trial = doc["trials"][2];
    EXPECT_EQ(reset_trial["variant"], "sni");
    EXPECT_EQ(reset_trial["failure"], "connection_reset");
    EXPECT_EQ(reset_trial["failed_operation"], "tls_handshake");
    EXPECT_TRUE(reset_trial["tls_version"].is_null());
    EXPECT_DOUBLE_EQ(reset_trial["t0"].get<double>(), 0.2);
    EXPECT_EQ(reset_trial["packets"][1]["flags"], "RA");
    EXPECT_EQ(reset_trial["packets"][1]["direction"], "inbound");
    EXPECT_EQ(reset_trial["packets"][1]["payload_head"], "010203ff");
    EXPECT_EQ(reset_trial["rst"][0]["origin"], "injected");

    EXPECT_EQ(doc["rst"].size(), 3u);
    EXPECT_EQ(doc["rst"][0]["signature"], "gfw_type_2");
    EXPECT_EQ(doc["rst"][0]["delay_ms"], 18.5);
    EXPECT_EQ(doc["trace"]["middlebox_hop"], 2);
    EXPECT_TRUE(doc["trace"]["hops"][1]["router"].is_null());
    EXPECT_EQ(doc["verdict"]["cause"], std::string(to_name(d.verdict.cause)));
    EXPECT_EQ(doc["verdict"]["evidence"][0]["id"], d.verdict.evidence[0].id);
    EXPECT_TRUE(doc["verdict"]["subcode"].is_null());
}

TEST(JsonReport, RoundTripsEveryField) {
    const Diagnosis d = rich_diagnosis();
    const std::string first = to_text(d);
    std::istringstream in(first);
    Result<Diagnosis> back = read_json(in);
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(to_text(*back), first);
    // And a few fields checked on the model itself, not only through the writer.
    EXPECT_EQ(back->trials[2].packets[1].flags, 0x14);
    EXPECT_EQ(back->trials[2].packets[1].payload_head,
              (std::vector<uint8_t>{0x01, 0x02, 0x03, 0xff}));
    EXPECT_EQ(back->analysis.rsts[0].reasons.size(), 2u);
    EXPECT_EQ(back->trials[7].certificate->chain_subjects.size(), 2u);
    EXPECT_EQ(back->trials[8].http_status, 403);
    EXPECT_EQ(back->verdict.summary, d.verdict.summary);
}

TEST(JsonReport, LineStyleIsOneLine) {
    const std::string line = to_text(rich_diagnosis(), JsonStyle::line);
    EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(JsonReport, RejectsNewerSchemaAndBadInput) {
    std::istringstream newer(R"({"schema_version": 2})");
    auto r = read_json(newer);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("schema_version 2"), std::string::npos);

    std::istringstream garbage("{not json");
    EXPECT_FALSE(read_json(garbage).has_value());

    std::istringstream bad_variant(R"({"schema_version": 1, "trials": [{"variant": "bogus"}]})");
    auto v = read_json(bad_variant);
    ASSERT_FALSE(v.has_value());
    EXPECT_NE(v.error().message.find("bogus"), std::string::npos);

    std::istringstream bad_type(R"({"schema_version": 1, "duration_s": "long"})");
    EXPECT_FALSE(read_json(bad_type).has_value());
}

TEST(JsonReport, UnknownFailureStringsSurviveAndUnknownNamesFail) {
    Diagnosis d = rich_diagnosis();
    d.trials[2].failure = Failure::from_text("unknown_failure: No buffer space available");
    const std::string first = to_text(d);
    std::istringstream in(first);
    Result<Diagnosis> back = read_json(in);
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(back->trials[2].failure.code(), FailureCode::other);
    EXPECT_EQ(to_text(*back), first);

    std::istringstream bad_cause(R"({"schema_version": 1, "verdict": {"cause": "sni_blocked"}})");
    auto c = read_json(bad_cause);
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("sni_blocked"), std::string::npos);
}

TEST(JsonReport, InvalidUtf8FromTheNetworkDoesNotThrow) {
    Diagnosis d = rich_diagnosis();
    d.trials[8].http_title = std::string("bad \xff\xfe title");
    const json doc = json::parse(to_text(d));
    EXPECT_TRUE(doc["trials"][8]["http_title"].is_string());
}

}  // namespace
}  // namespace sniprobe
