// The sink's answers: a wrong or missing token gets 401, a log line and no data; the
// right token gets the records; health needs no token and discloses nothing.
#include "sink/service.hpp"

#include <gtest/gtest.h>

#include "sink/records_json.hpp"
#include "sink_packets.hpp"

namespace sniprobe::sink {
namespace {

const std::string k_token = "correct-horse-battery-staple";

ConnectionTable table_with_one_connection() {
    ConnectionTable table(10, {443});
    table.observe(test::packet(true, 40000, tcp_flag::syn, 1000), 100);
    return table;
}

SinkRequest request(std::string path, std::optional<std::string> token) {
    SinkRequest r;
    r.method = "GET";
    r.path = std::move(path);
    r.bearer_token = std::move(token);
    return r;
}

TEST(Service, WrongOrMissingTokenIsRefusedLoggedAndDisclosesNothing) {
    auto table = table_with_one_connection();
    for (auto token :
         {std::optional<std::string>{}, std::optional<std::string>{"wrong-token-0123456789"},
          std::optional<std::string>{""}}) {
        auto r =
            answer_request(request("/v1/connections", token), "192.0.2.9", table, k_token, 200);
        EXPECT_EQ(r.status, 401);
        EXPECT_EQ(r.body.find("10.77"), std::string::npos);
        EXPECT_EQ(r.body.find("connections"), std::string::npos);
        EXPECT_NE(r.log_line.find("192.0.2.9"), std::string::npos);
        EXPECT_NE(r.log_line.find("refused"), std::string::npos);
        EXPECT_NE(frame_response(r).find("WWW-Authenticate: Bearer"), std::string::npos);
    }
}

TEST(Service, TheRightTokenGetsTheRecords) {
    auto table = table_with_one_connection();
    auto req = request("/v1/connections", k_token);
    req.query["client"] = "10.77.1.2";
    req.query["since"] = "50";
    auto r = answer_request(req, "192.0.2.9", table, k_token, 200);
    ASSERT_EQ(r.status, 200);
    auto doc = decode_records(r.body);
    ASSERT_TRUE(doc) << doc.error().message;
    ASSERT_EQ(doc->records.size(), 1u);
    EXPECT_EQ(doc->records[0].client_port, 40000);
    EXPECT_DOUBLE_EQ(doc->sink_now_unix, 200);

    req.query["since"] = "150";  // after the connection's last packet
    EXPECT_TRUE(
        decode_records(answer_request(req, "p", table, k_token, 200).body)->records.empty());
    req.query["client"] = "10.0.0.1";
    req.query["since"] = "0";
    EXPECT_TRUE(
        decode_records(answer_request(req, "p", table, k_token, 200).body)->records.empty());
}

TEST(Service, BadParametersAreA400) {
    auto table = table_with_one_connection();
    for (const char* bad : {"yesterday", "1e999", "", "12abc"}) {
        auto req = request("/v1/connections", k_token);
        req.query["since"] = bad;
        EXPECT_EQ(answer_request(req, "p", table, k_token, 0).status, 400) << bad;
    }
    auto req = request("/v1/connections", k_token);
    req.query["limit"] = "-1";
    EXPECT_EQ(answer_request(req, "p", table, k_token, 0).status, 400);
}

TEST(Service, HealthNeedsNoTokenAndUnknownRoutesAre404) {
    auto table = table_with_one_connection();
    auto health = answer_request(request("/v1/health", std::nullopt), "p", table, k_token, 0);
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body.find("10.77"), std::string::npos);
    EXPECT_EQ(answer_request(request("/etc/passwd", k_token), "p", table, k_token, 0).status, 404);
    auto post = request("/v1/connections", k_token);
    post.method = "POST";
    EXPECT_EQ(answer_request(post, "p", table, k_token, 0).status, 405);
}

TEST(Service, FramesWithContentLengthAndClose) {
    HttpResponse r;
    r.body = "{}";
    std::string wire = frame_response(r);
    EXPECT_EQ(wire.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_NE(wire.find("Content-Length: 2\r\n"), std::string::npos);
    EXPECT_NE(wire.find("Connection: close\r\n"), std::string::npos);
    EXPECT_EQ(wire.substr(wire.size() - 2), "{}");
}

}  // namespace
}  // namespace sniprobe::sink
