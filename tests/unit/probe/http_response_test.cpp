// The http_host response reader on complete, partial and hostile inputs.
#include "probe/http_response.hpp"

#include <gtest/gtest.h>

namespace sniprobe {
namespace {

TEST(HttpResponse, StatusServerTitle) {
    auto f = parse_http_response(
        "HTTP/1.1 302 Found\r\nserver:  nginx \r\nLocation: /x\r\n\r\n<title>Moved</title>");
    EXPECT_EQ(f.status, 302);
    EXPECT_EQ(f.server, "nginx");
    EXPECT_EQ(f.title, "Moved");
    EXPECT_TRUE(f.headers_complete);
    EXPECT_TRUE(f.title_complete);
}

TEST(HttpResponse, PartialInput) {
    auto f = parse_http_response("HTTP/1.1 200 OK\r\nServer: x");
    EXPECT_EQ(f.status, 200);
    EXPECT_FALSE(f.headers_complete);
    auto g = parse_http_response("HTTP/1.0 200 OK\n\n<html><title>half");
    EXPECT_TRUE(g.headers_complete);
    EXPECT_FALSE(g.title_complete);
    EXPECT_EQ(g.title, "half");
}

TEST(HttpResponse, NotHttp) {
    EXPECT_FALSE(parse_http_response("\x15\x03\x03\x00\x02\x02\x28\n").status);
    EXPECT_FALSE(parse_http_response("HTTP/1.1 2x0 OK\r\n\r\n").status);
    EXPECT_FALSE(parse_http_response("HTTP/1.1\r\n\r\n").status);
    EXPECT_FALSE(parse_http_response("").status);
}

TEST(HttpResponse, RequestCarriesHost) {
    EXPECT_EQ(http_request_for("blocked.test").rfind("GET / HTTP/1.1\r\nHost: blocked.test\r\n", 0),
              0u);
}

}  // namespace
}  // namespace sniprobe

namespace sniprobe {
namespace {

// Found by fuzzing: a space before the 200th byte pushed the title to 201 bytes.
TEST(HttpResponse, TitleStaysWithinItsBound) {
    std::string body = "HTTP/1.1 200 OK\r\n\r\n<title>" + std::string(199, 'a') + " bb</title>";
    auto f = parse_http_response(body);
    EXPECT_LE(f.title.size(), 200u);
    EXPECT_EQ(f.title, std::string(199, 'a'));
}

}  // namespace
}  // namespace sniprobe
