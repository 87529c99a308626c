// The sink's request parser and token check: what a well-behaved client sends, what
// garbage and oversized heads become, and that a wrong token never matches.
#include "sink/http_request.hpp"

#include <gtest/gtest.h>

namespace sniprobe::sink {
namespace {

TEST(ParseRequest, ReadsPathQueryAndBearerToken) {
    auto p = parse_request(
        "GET /v1/connections?client=10.77.1.2&since=1700000000.5&x=a%20b+c HTTP/1.1\r\n"
        "Host: sink\r\nauthorization:   Bearer  s3cret-token-0123 \r\n\r\n");
    ASSERT_EQ(p.state, RequestState::complete) << p.error;
    EXPECT_EQ(p.request->method, "GET");
    EXPECT_EQ(p.request->path, "/v1/connections");
    EXPECT_EQ(p.request->query.at("client"), "10.77.1.2");
    EXPECT_EQ(p.request->query.at("since"), "1700000000.5");
    EXPECT_EQ(p.request->query.at("x"), "a b c");
    EXPECT_EQ(p.request->bearer_token, "s3cret-token-0123");
}

TEST(ParseRequest, WaitsForTheEndOfTheHead) {
    EXPECT_EQ(parse_request("GET /v1/health HTTP/1.1\r\nHost: x\r\n").state,
              RequestState::incomplete);
    EXPECT_EQ(parse_request("").state, RequestState::incomplete);
    EXPECT_EQ(parse_request("GET /v1/health HTTP/1.0\n\n").state, RequestState::complete);
}

TEST(ParseRequest, NonBearerAuthorizationNeverCarriesAToken) {
    auto p = parse_request("GET / HTTP/1.1\r\nAuthorization: Basic Zm9vOmJhcg==\r\n\r\n");
    ASSERT_EQ(p.state, RequestState::complete);
    ASSERT_TRUE(p.request->bearer_token.has_value());
    EXPECT_EQ(*p.request->bearer_token, "");
    EXPECT_FALSE(parse_request("GET / HTTP/1.1\r\n\r\n").request->bearer_token.has_value());
}

TEST(ParseRequest, GarbageIsBadWithAReason) {
    for (const char* garbage :
         {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "GET\r\n\r\n", "GET / SPDY/3\r\n\r\n",
          "GET nopath HTTP/1.1\r\n\r\n", "GET /%zz HTTP/1.1\r\n\r\n", "GET /?a=%4 HTTP/1.1\r\n\r\n",
          "GET / HTTP/1.1\r\nno colon here\r\n\r\n"}) {
        auto p = parse_request(garbage);
        EXPECT_EQ(p.state, RequestState::bad) << garbage;
        EXPECT_FALSE(p.error.empty());
        EXPECT_FALSE(p.request.has_value());
    }
}

TEST(ParseRequest, BoundsTheHead) {
    std::string big = "GET / HTTP/1.1\r\nX: " + std::string(k_max_request_bytes, 'a');
    EXPECT_EQ(parse_request(big).state, RequestState::bad);
    std::string many = "GET / HTTP/1.1\r\n";
    for (size_t i = 0; i < k_max_header_lines + 1; ++i) many += "X: y\r\n";
    EXPECT_EQ(parse_request(many + "\r\n").state, RequestState::bad);
}

TEST(PercentDecode, DecodesAndRejects) {
    EXPECT_EQ(percent_decode("a%2Fb+c", true), "a/b c");
    EXPECT_EQ(percent_decode("a+b", false), "a+b");
    EXPECT_FALSE(percent_decode("%", true));
    EXPECT_FALSE(percent_decode("%a", true));
    EXPECT_FALSE(percent_decode("%gg", true));
}

TEST(TokenMatches, OnlyTheExactToken) {
    EXPECT_TRUE(token_matches("0123456789abcdef", "0123456789abcdef"));
    EXPECT_FALSE(token_matches("0123456789abcdeF", "0123456789abcdef"));
    EXPECT_FALSE(token_matches("0123456789abcde", "0123456789abcdef"));
    EXPECT_FALSE(token_matches("0123456789abcdef0", "0123456789abcdef"));
    EXPECT_FALSE(token_matches("", ""));  // an empty configured token never opens the door
}

}  // namespace
}  // namespace sniprobe::sink
