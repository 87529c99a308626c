// The terminal report and the JSON document of the recorded lab log: headline first, the
// explanation of the dominant class, escaped control bytes, JSON that parses with every
// field docs/logs-json.md promises (and invalid UTF-8 replaced, not thrown).
#include "logs/render.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "logs/read_logs.hpp"

namespace sniprobe::logs {
namespace {

LogSummary seed() {
    auto s = read_logs({std::string(SNIPROBE_TEST_DATA) + "/nginx/seed_error.log"}, {});
    EXPECT_TRUE(s);
    return s ? *s : LogSummary{};
}

TEST(Render, HeadlineNamesCountsClientsAndTheDominantClass) {
    EXPECT_EQ(headline(seed()),
              "25 handshake failures from 2 clients; most: reset mid-handshake (11 of 25, 44%).");
    EXPECT_EQ(headline(LogSummary{}), "No TLS handshake failures in 0 lines.");
}

TEST(Render, TextStartsWithTheAnswerThenTheTables) {
    std::ostringstream out;
    write_text(out, seed());
    const std::string text = out.str();
    EXPECT_EQ(text.rfind("25 handshake failures", 0), 0u) << text;
    EXPECT_NE(text.find("something between you reset both ends"), std::string::npos);
    EXPECT_NE(text.find("handshake_reset                   11"), std::string::npos) << text;
    EXPECT_NE(text.find("10.77.1.2"), std::string::npos);
    EXPECT_NE(text.find("handshake failures per minute"), std::string::npos);
    EXPECT_NE(text.find("2026/11/27 15:19"), std::string::npos);
    EXPECT_EQ(text.find('\x15'), std::string::npos);  // no raw control bytes reach the terminal
}

TEST(Render, WarnsWhenTheLogHasNoInfoLevel) {
    Aggregator a;
    ErrorLine notice;
    notice.level = Level::notice;
    a.add(notice);
    std::ostringstream out;
    write_text(out, a.summary());
    EXPECT_NE(out.str().find("error_log FILE info;"), std::string::npos) << out.str();
}

TEST(Render, JsonHasTheDocumentedFields) {
    std::ostringstream out;
    write_json(out, seed(), 20);
    auto doc = nlohmann::json::parse(out.str());
    EXPECT_EQ(doc["schema_version"], 1);
    EXPECT_EQ(doc["command"], "logs");
    EXPECT_EQ(doc["handshake_failures"], 25);
    EXPECT_EQ(doc["clients_distinct"], 2);
    EXPECT_EQ(doc["clients_exact"], true);
    EXPECT_EQ(doc["class_counts"]["handshake_reset"], 11);
    EXPECT_EQ(doc["class_counts"]["upstream_handshake"], 0);
    EXPECT_EQ(doc["classes"][0]["id"], "handshake_reset");
    EXPECT_NEAR(doc["classes"][0]["share"].get<double>(), 0.44, 1e-9);
    EXPECT_EQ(doc["clients"][0]["address"], "10.77.1.2");
    EXPECT_EQ(doc["clients"][0]["classes"]["handshake_reset"], 11);
    EXPECT_EQ(doc["clients"][0]["first_seen"], "2026-11-27T15:19:28");
    EXPECT_EQ(doc["other_clients_failures"], 0);
    EXPECT_EQ(doc["buckets"]["width_s"], 60);
    EXPECT_EQ(doc["buckets"]["items"][0]["start"], "2026-11-27T15:19:00");
    EXPECT_EQ(doc["lines"]["total"], 48);
    EXPECT_EQ(doc["lines"]["anomalies"]["overlong"], 0);
    EXPECT_EQ(doc["levels"]["info"], 42);
    EXPECT_EQ(doc["inputs"][0]["error"], nullptr);
    EXPECT_EQ(doc["first_seen"], "2026-11-27T15:19:18");
}

TEST(Render, JsonSurvivesInvalidUtf8AndCutsClients) {
    Aggregator a;
    for (std::string_view client : {std::string_view("\xff\xfe"), std::string_view("10.0.0.1")}) {
        ErrorLine l;
        l.client = client;
        l.failure_class = FailureClass::handshake_ssl_error;
        l.reason = "\xc3(";
        a.add(l);
    }
    std::ostringstream out;
    ASSERT_NO_THROW(write_json(out, a.summary(), 1));
    auto doc = nlohmann::json::parse(out.str());
    EXPECT_EQ(doc["clients"].size(), 1u);
    EXPECT_EQ(doc["other_clients_failures"], 1);
    EXPECT_EQ(printable("a\x1b[31m\\"), "a\\x1b[31m\\x5c");
}

}  // namespace
}  // namespace sniprobe::logs
