// The sink's own TLS listener on loopback: a real client handshake (with SNI) completes
// and the connection's record says so with the name the server saw; garbage, an HTTP
// request and a silent client become named anomalies, and the listener keeps serving.
#include "sink/tls_terminator.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <csignal>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "sink/connection_table.hpp"
#include "support/certs.hpp"
#include "support/temp.hpp"
#include "util/fd.hpp"

namespace sniprobe::sink {
namespace {

// A self-signed P-256 certificate for ok.test in a temporary directory.
struct TempCert {
    test::TempDir dir{"sink-tls-test"};
    std::string cert_file = dir.file("leaf.pem"), key_file = dir.file("leaf.key");
    TempCert() { test::write_pem(test::make_cert("ok.test"), cert_file, key_file); }
};

Fd connect_loopback(uint16_t port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) fd.reset();
    return fd;
}

// Runs the listener's loop until `done` (or 10 s), as the sink's event loop would.
void serve_until(TlsTerminator& tls, ConnectionTable& table, const std::atomic<bool>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done && std::chrono::steady_clock::now() < deadline) {
        pollfd p{tls.fd(), POLLIN, 0};
        ::poll(&p, 1, 50);
        tls.step(table, 1000.0);
    }
    tls.step(table, 1000.0);
}

Result<TlsTerminator> open_listener(const TempCert& cert, int timeout_ms = 5000) {
    std::signal(SIGPIPE, SIG_IGN);  // as the command line does for the sink
    TlsOptions o;
    o.cert_file = cert.cert_file;
    o.key_file = cert.key_file;
    o.address = "127.0.0.1";
    o.port = 0;
    o.handshake_timeout_ms = timeout_ms;
    return TlsTerminator::open(o);
}

const ConnectionRecord* only_record(const ConnectionTable& table) {
    auto all = table.query("", 0, 1e12, 100);
    return all.size() == 1 ? all.front() : nullptr;
}

TEST(TlsTerminator, ClientHandshakeCompletesAndIsRecordedWithItsSni) {
    TempCert cert;
    auto tls = open_listener(cert);
    ASSERT_TRUE(tls) << tls.error().message;
    ConnectionTable table(10, {tls->port()});
    std::atomic<bool> done{false};
    std::string answer;
    int handshake_rc = 0;
    uint16_t client_port = 0;
    std::thread client([&] {
        Fd fd = connect_loopback(tls->port());
        sockaddr_in local{};
        socklen_t len = sizeof local;
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &len);
        client_port = ntohs(local.sin_port);
        SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
        SSL* ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd.get());
        SSL_set_tlsext_host_name(ssl, "ok.test");
        handshake_rc = SSL_connect(ssl);
        if (handshake_rc == 1) {
            const char req[] = "GET / HTTP/1.1\r\nHost: ok.test\r\n\r\n";
            SSL_write(ssl, req, sizeof req - 1);
            char buf[512];
            for (int n; (n = SSL_read(ssl, buf, sizeof buf)) > 0;)
                answer.append(buf, static_cast<size_t>(n));
        }
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        done = true;
    });
    serve_until(*tls, table, done);
    client.join();

    EXPECT_EQ(handshake_rc, 1);
    EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
    const ConnectionRecord* r = only_record(table);
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->tls_terminated);
    EXPECT_TRUE(r->tls_completed);
    EXPECT_EQ(r->tls_server_name, "ok.test");
    EXPECT_EQ(r->tls_version, "TLSv1.3");
    EXPECT_EQ(r->tls_anomaly, "");
    EXPECT_EQ(r->client, "127.0.0.1");
    EXPECT_EQ(r->client_port, client_port);
    EXPECT_EQ(r->server_port, tls->port());
    EXPECT_EQ(tls->counters().completed, 1u);
}

// Sends `bytes`, half-closes, waits for the sink to close; returns the record's anomaly.
std::string anomaly_after(TlsTerminator& tls, ConnectionTable& table, const std::string& bytes) {
    std::atomic<bool> done{false};
    std::thread client([&] {
        Fd fd = connect_loopback(tls.port());
        if (!bytes.empty()) (void)::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        ::shutdown(fd.get(), SHUT_WR);
        char buf[256];
        while (::recv(fd.get(), buf, sizeof buf, 0) > 0) {
        }
        done = true;
    });
    serve_until(tls, table, done);
    client.join();
    auto all = table.query("", 0, 1e12, 100);
    return all.empty() ? "<no record>" : all.back()->tls_anomaly;
}

TEST(TlsTerminator, GarbageBecomesNamedAnomaliesAndTheListenerSurvives) {
    TempCert cert;
    auto tls = open_listener(cert);
    ASSERT_TRUE(tls) << tls.error().message;
    ConnectionTable table(100, {tls->port()});
    EXPECT_EQ(anomaly_after(*tls, table, std::string("\x00\xff garbage\x01", 11)), "not_tls");
    EXPECT_EQ(anomaly_after(*tls, table, "GET / HTTP/1.1\r\n\r\n"), "http_request");
    // A whole record holding a one-byte ClientHello: OpenSSL refuses it (decode error).
    EXPECT_EQ(
        anomaly_after(*tls, table, std::string("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10)),
        "handshake_failed");
    EXPECT_NE(table.query("", 0, 1e12, 100).back()->tls_error, "");
    EXPECT_EQ(anomaly_after(*tls, table, std::string("\x16\x03\x01\x40\x00", 5)),
              "closed_during_handshake");
    EXPECT_EQ(anomaly_after(*tls, table, ""), "closed_during_handshake");
    for (const auto* r : table.query("", 0, 1e12, 100)) {
        EXPECT_TRUE(r->tls_terminated);
        EXPECT_FALSE(r->tls_completed);
    }
    EXPECT_EQ(tls->counters().failed, 5u);
    EXPECT_EQ(tls->counters().completed, 0u);
}

TEST(TlsTerminator, SilentClientTimesOut) {
    TempCert cert;
    auto tls = open_listener(cert, 200);
    ASSERT_TRUE(tls) << tls.error().message;
    ConnectionTable table(10, {tls->port()});
    Fd fd = connect_loopback(tls->port());
    std::atomic<bool> done{false};
    std::thread client([&] {
        char buf[16];
        while (::recv(fd.get(), buf, sizeof buf, 0) > 0) {
        }
        done = true;  // the sink closed us
    });
    serve_until(*tls, table, done);
    client.join();
    const ConnectionRecord* r = only_record(table);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->tls_anomaly, "handshake_timeout");
    EXPECT_EQ(tls->counters().timed_out, 1u);
}

TEST(TlsTerminator, MismatchedKeyIsRefusedAtStart) {
    TempCert a, b;
    TlsOptions o;
    o.cert_file = a.cert_file;
    o.key_file = b.key_file;
    o.address = "127.0.0.1";
    o.port = 0;
    auto tls = TlsTerminator::open(o);
    ASSERT_FALSE(tls);
    EXPECT_NE(tls.error().message.find("does not match"), std::string::npos);
}

}  // namespace
}  // namespace sniprobe::sink
