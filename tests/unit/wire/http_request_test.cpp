// HTTP Host extraction as the middlebox's Host match uses it: real request shapes
// (curl's, a bare-LF one, a port, an IPv6 literal), every prefix of a request, TLS
// bytes on port 80, and each malformed header block.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "wire/http_request.hpp"

namespace sniprobe::wire {
namespace {

HttpRequest parse(std::string_view text) {
    return parse_http_host({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

// What curl 7.88 sends for `curl http://blocked.test/`.
constexpr std::string_view k_curl =
    "GET / HTTP/1.1\r\nHost: blocked.test\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

TEST(HttpRequest, CurlRequest) {
    const HttpRequest r = parse(k_curl);
    EXPECT_EQ(r.anomaly, HttpAnomaly::none);
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.target, "/");
    EXPECT_EQ(r.host, "blocked.test");
    EXPECT_FALSE(r.host_port);
}

TEST(HttpRequest, EveryPrefixIsIncomplete) {
    for (size_t n = 0; n < k_curl.size(); ++n) {
        const HttpRequest r = parse(k_curl.substr(0, n));
        ASSERT_EQ(r.anomaly, HttpAnomaly::incomplete) << n << ": " << http_anomaly_name(r.anomaly);
        EXPECT_EQ(r.host, "");
    }
}

TEST(HttpRequest, TolerantWhereClientsDiffer) {
    HttpRequest r =
        parse("POST /form?a=1 HTTP/1.0\nhOsT:\t Blocked.Test:8080 \nContent-Length: 0\n\n");
    EXPECT_EQ(r.anomaly, HttpAnomaly::none);
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/form?a=1");
    EXPECT_EQ(r.host, "Blocked.Test");
    EXPECT_EQ(r.host_port, 8080);
    r = parse("GET / HTTP/1.1\r\nHost: [fd77:3::2]:80\r\n\r\n");
    EXPECT_EQ(r.anomaly, HttpAnomaly::none);
    EXPECT_EQ(r.host, "[fd77:3::2]");
    EXPECT_EQ(r.host_port, 80);
    r = parse("GET / HTTP/1.1\r\nHost: [fd77:3::2]\r\n\r\n");
    EXPECT_EQ(r.host, "[fd77:3::2]");
    EXPECT_FALSE(r.host_port);
    // Bytes after the header block (a body, a pipelined request) do not matter.
    r = parse("GET / HTTP/1.1\r\nHost: a.test\r\n\r\nGET /2 HTTP/1.1\r\nHost: b.test\r\n\r\n");
    EXPECT_EQ(r.host, "a.test");
}

TEST(HttpRequest, NotHttpIsSeenOnTheFirstBytes) {
    const std::string tls = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
    EXPECT_EQ(parse(tls).anomaly, HttpAnomaly::not_http);
    EXPECT_EQ(parse(" GET").anomaly, HttpAnomaly::not_http);
    EXPECT_EQ(parse("GET / HTTP/1.1 extra\r\n\r\n").anomaly, HttpAnomaly::not_http);
    EXPECT_EQ(parse("GET /\r\n\r\n").anomaly, HttpAnomaly::not_http);  // HTTP/0.9
    EXPECT_EQ(parse("GET / HTTPS/1.1\r\n\r\n").anomaly, HttpAnomaly::not_http);
    EXPECT_EQ(parse("GET  HTTP/1.1\r\n\r\n").anomaly, HttpAnomaly::not_http);  // empty target
    EXPECT_EQ(parse(std::string(21, 'G') + " / HTTP/1.1\r\n").anomaly, HttpAnomaly::not_http);
}

TEST(HttpRequest, MalformedHeaderBlocks) {
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n").anomaly, HttpAnomaly::no_host);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n").anomaly,
              HttpAnomaly::duplicate_host);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost a.test\r\n\r\n").anomaly, HttpAnomaly::bad_header);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost : a.test\r\n\r\n").anomaly, HttpAnomaly::bad_header);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a.test\r\n folded\r\n\r\n").anomaly,
              HttpAnomaly::bad_header);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a.test:99999\r\n\r\n").anomaly,
              HttpAnomaly::bad_header);
    EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: a.test:8x\r\n\r\n").anomaly, HttpAnomaly::bad_header);
    const HttpRequest dup = parse("GET / HTTP/1.1\r\nHost: a.test\r\nhost: b.test\r\n\r\n");
    EXPECT_EQ(dup.host, "");
}

TEST(HttpRequest, GivesUpOnEndlessHeaders) {
    std::string big = "GET / HTTP/1.1\r\nHost: a.test\r\n";
    while (big.size() < k_max_http_header_bytes)
        big += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    EXPECT_EQ(parse(big).anomaly, HttpAnomaly::headers_too_long);
    EXPECT_EQ(parse(big.substr(0, k_max_http_header_bytes - 1)).anomaly, HttpAnomaly::incomplete);
    EXPECT_EQ(http_anomaly_name(HttpAnomaly::headers_too_long), "headers_too_long");
}

}  // namespace
}  // namespace sniprobe::wire
