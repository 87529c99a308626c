// lookup_https through c-ares against a DNS server on loopback that answers every query
// with one canned HTTPS record (alpn h3, ECH), or with NXDOMAIN: the raw answer c-ares
// 1.18 hands over is read by our own parser; no name is an empty list, not an error.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "resolve/resolver.hpp"

namespace sniprobe {
namespace {

using Bytes = std::vector<uint8_t>;

// One UDP socket on 127.0.0.1 answering queries until the test ends.
class FakeDns {
  public:
    explicit FakeDns(bool nxdomain) : m_nxdomain(nxdomain) {
        m_fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        socklen_t len = sizeof a;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        ::pipe(m_stop);
        m_thread = std::thread([this] { serve(); });
    }
    ~FakeDns() {
        (void)::write(m_stop[1], "x", 1);
        m_thread.join();
        ::close(m_fd);
        ::close(m_stop[0]);
        ::close(m_stop[1]);
    }
    std::string server() const { return "127.0.0.1:" + std::to_string(m_port); }
    int queries() const { return m_queries; }

  private:
    void serve() {
        for (;;) {
            pollfd fds[2] = {{m_fd, POLLIN, 0}, {m_stop[0], POLLIN, 0}};
            if (::poll(fds, 2, 5000) <= 0 || (fds[1].revents & POLLIN)) return;
            uint8_t buf[512];
            sockaddr_in from{};
            socklen_t len = sizeof from;
            ssize_t n =
                ::recvfrom(m_fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n < 12) continue;
            ++m_queries;
            size_t q = 12;  // the question: name, type, class
            while (q < static_cast<size_t>(n) && buf[q] != 0) q += buf[q] + 1u;
            q += 5;
            Bytes reply(buf, buf + 12);
            reply[2] = 0x81;
            reply[3] = m_nxdomain ? 0x83 : 0x80;
            reply[6] = 0;
            reply[7] = m_nxdomain ? 0 : 1;  // answers
            reply[8] = reply[9] = reply[10] = reply[11] = 0;
            reply.insert(reply.end(), buf + 12, buf + q);
            if (!m_nxdomain) {
                // HTTPS 1 . alpn=h3,h2 ech=<ECHConfig public_name ech.example>
                Bytes contents{0x01, 0x00, 0x20, 0x00, 0x20};
                contents.insert(contents.end(), 32, 0x11);
                Bytes tail{0x00, 0x04, 0x00, 0x01, 0x00, 0x01, 0x00, 0x0b, 'e',  'c', 'h',
                           '.',  'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x00, 0x00};
                contents.insert(contents.end(), tail.begin(), tail.end());
                Bytes config{0xfe, 0x0d, 0x00, static_cast<uint8_t>(contents.size())};
                config.insert(config.end(), contents.begin(), contents.end());
                Bytes list{0x00, static_cast<uint8_t>(config.size())};
                list.insert(list.end(), config.begin(), config.end());
                Bytes rdata{0x00,
                            0x01,
                            0x00,
                            0x00,
                            0x01,
                            0x00,
                            0x06,
                            0x02,
                            'h',
                            '3',
                            0x02,
                            'h',
                            '2',
                            0x00,
                            0x05,
                            0x00,
                            static_cast<uint8_t>(list.size())};
                rdata.insert(rdata.end(), list.begin(), list.end());
                Bytes answer{0xc0, 0x0c, 0x00, 0x41, 0x00, 0x01,
                             0x00, 0x00, 0x00, 0x3c, 0x00, static_cast<uint8_t>(rdata.size())};
                reply.insert(reply.end(), answer.begin(), answer.end());
                reply.insert(reply.end(), rdata.begin(), rdata.end());
            }
            ::sendto(m_fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
    }

    bool m_nxdomain;
    int m_fd = -1;
    int m_stop[2] = {-1, -1};
    uint16_t m_port = 0;
    std::atomic<int> m_queries{0};
    std::thread m_thread;
};

TEST(HttpsLookup, ReadsAlpnAndEchFromTheAnswer) {
    FakeDns dns(false);
    ResolveOptions o;
    o.dns_server = dns.server();
    o.timeout_ms = 3000;
    auto records = lookup_https("site.example", o);
    ASSERT_TRUE(records) << records.error().message;
    ASSERT_EQ(records->size(), 1u);
    EXPECT_TRUE(records->front().has_alpn("h3"));
    EXPECT_EQ(records->front().ech_public_names, std::vector<std::string>{"ech.example"});
    EXPECT_GE(dns.queries(), 1);
}

TEST(HttpsLookup, NoSuchNameIsAnEmptyList) {
    FakeDns dns(true);
    ResolveOptions o;
    o.dns_server = dns.server();
    o.timeout_ms = 3000;
    auto records = lookup_https("missing.example", o);
    ASSERT_TRUE(records) << records.error().message;
    EXPECT_TRUE(records->empty());
}

}  // namespace
}  // namespace sniprobe
