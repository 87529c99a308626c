// Sink URLs as users type them, and the framing of the sink's answer: the body is exactly
// Content-Length bytes, checked on a parsed answer and through a loopback socket that
// closes early, so a cut connection is an error and never a (shorter) document.
#include "sink/client.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <thread>

#include "sink/records_json.hpp"
#include "util/fd.hpp"

namespace sniprobe::sink {
namespace {

TEST(SinkUrl, ParsesHostPortAndPrefix) {
    auto u = parse_sink_url("http://10.77.3.2:9443");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "10.77.3.2");
    EXPECT_EQ(u->port, 9443);
    EXPECT_EQ(u->prefix, "");
    auto v6 = parse_sink_url("http://[fd77::2]:9443/sink/");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "fd77::2");
    EXPECT_EQ(v6->prefix, "/sink");
}

TEST(SinkUrl, RejectsWhatItCannotReach) {
    for (const char* bad :
         {"10.77.3.2:9443", "https://x:1", "http://:9443", "http://x", "http://x:0",
          "http://x:99999", "http://[fd77::2:9443", "http://x:12ab"})
        EXPECT_FALSE(parse_sink_url(bad)) << bad;
}

TEST(LocalAddress, PicksTheLoopbackSourceForLoopback) {
    EXPECT_EQ(local_address_towards("127.0.0.1", 443), "127.0.0.1");
    EXPECT_EQ(local_address_towards("not an address", 443), "");
}

std::string answer(const std::string& body, const std::string& headers) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + headers + "\r\n" + body;
}

TEST(HttpAnswer, BodyIsExactlyContentLength) {
    std::string text = answer("{\"a\":1}", "Content-Length: 7\r\n");
    auto a = parse_http_answer(text);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(a->body, "{\"a\":1}");
    // Case-insensitive name, optional whitespace, a repeated identical value.
    // The body is a view into the answer: keep the answer alive while reading it.
    const std::string repeated = answer("xy", "content-length:\t2 \r\nCONTENT-LENGTH: 2\r\n");
    auto b = parse_http_answer(repeated);
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(b->body, "xy");
    auto empty = parse_http_answer("HTTP/1.0 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_EQ(empty->status, 401);
    EXPECT_EQ(empty->body, "");
}

TEST(HttpAnswer, TruncatedBodyFails) {
    auto a = parse_http_answer(answer("{\"a\":", "Content-Length: 7\r\n"));
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message.find("cut short: 5 of 7"), std::string::npos) << a.error().message;
}

TEST(HttpAnswer, BodyLongerThanContentLengthFails) {
    auto a = parse_http_answer(answer("{\"a\":1}garbage", "Content-Length: 7\r\n"));
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message.find("7 bytes after its 7-byte body"), std::string::npos)
        << a.error().message;
}

TEST(HttpAnswer, MissingOrBadContentLengthFails) {
    for (const std::string& headers :
         {std::string(), std::string("Content-Length: \r\n"), std::string("Content-Length: -7\r\n"),
          std::string("Content-Length: 7x\r\n"), std::string("Content-Length: 7, 7\r\n"),
          std::string("Content-Length: 7\r\nContent-Length: 8\r\n"),
          std::string("Content-Length: 99999999999999999999999\r\n"),
          std::string("Transfer-Encoding: chunked\r\n"), std::string("no colon here\r\n")}) {
        auto a = parse_http_answer(answer("{\"a\":1}", headers));
        EXPECT_FALSE(a) << headers;
    }
    auto missing = parse_http_answer(answer("{}", ""));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("no Content-Length"), std::string::npos);
}

TEST(HttpAnswer, OversizedLengthFailsBeforeTheBodyMatters) {
    auto a = parse_http_answer(
        answer("", fmt::format("Content-Length: {}\r\n", k_max_answer_bytes + 1)));
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message.find("more than the 64 MiB"), std::string::npos)
        << a.error().message;
    EXPECT_FALSE(parse_http_answer(answer("", "Content-Length: 18446744073709551615\r\n")));
}

TEST(HttpAnswer, NotHttpFails) {
    for (const char* bad : {"", "HTTP/1.1 200", "HTTP/1.1 200 OK\r\n", "SSH-2.0-x\r\n\r\n",
                            "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
                            "HTTP/1.1 099 OK\r\nContent-Length: 0\r\n\r\n"})
        EXPECT_FALSE(parse_http_answer(bad)) << bad;
}

// A loopback "sink" that answers one request with fixed bytes and closes.
class OneShotServer {
  public:
    explicit OneShotServer(std::string reply) : m_reply(std::move(reply)) {
        m_listen.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(m_listen.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(m_listen.get(), 1) != 0 ||
            ::getsockname(m_listen.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
            return;
        m_port = ntohs(a.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~OneShotServer() {
        if (m_thread.joinable()) m_thread.join();
    }
    uint16_t port() const { return m_port; }

  private:
    void serve() {
        pollfd p{m_listen.get(), POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return;  // bound: the client never came
        Fd conn(::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!conn) return;
        std::string request;
        char buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
            pollfd q{conn.get(), POLLIN, 0};
            if (::poll(&q, 1, 5000) <= 0) return;
            ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
            if (n <= 0) return;
            request.append(buf, static_cast<size_t>(n));
        }
        [[maybe_unused]] ssize_t sent =
            ::send(conn.get(), m_reply.data(), m_reply.size(), MSG_NOSIGNAL);
    }

    std::string m_reply;
    Fd m_listen;
    uint16_t m_port = 0;
    std::thread m_thread;
};

Result<RecordsDocument> fetch_from(const std::string& reply) {
    OneShotServer server(reply);
    if (server.port() == 0) return fail("no loopback listener");
    SinkUrl url{"127.0.0.1", server.port(), ""};
    return fetch_records(url, "token", SinkQuery{}, 5000);
}

TEST(FetchRecords, ReadsAWholeAnswer) {
    std::string body = encode_records({}, 1700000000.5);
    auto doc = fetch_from(answer(body, fmt::format("Content-Length: {}\r\n", body.size())));
    ASSERT_TRUE(doc) << doc.error().message;
    EXPECT_DOUBLE_EQ(doc->sink_now_unix, 1700000000.5);
    EXPECT_TRUE(doc->records.empty());
}

TEST(FetchRecords, AConnectionClosedMidBodyIsAnError) {
    std::string body = encode_records({}, 1700000000.5);
    auto doc = fetch_from(answer(body.substr(0, body.size() - 1),
                                 fmt::format("Content-Length: {}\r\n", body.size())));
    ASSERT_FALSE(doc);
    EXPECT_NE(doc.error().message.find("cut short"), std::string::npos) << doc.error().message;
}

}  // namespace
}  // namespace sniprobe::sink
