// The probe engine against in-process loopback servers: outcomes (success, reset,
// timeout, refusal, alert), the wire shape of the ClientHello (TCP split, record split,
// large), certificate classification, and the per-trial bookkeeping (ports, timings).
#include "probe/engine.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "probe/connection.hpp"
#include "tls_test_server.hpp"
#include "util/clock.hpp"
#include "util/interrupt.hpp"
#include "util/result.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe {
namespace {

using test::make_cert;
using test::ServerMode;
using test::TestCert;
using test::TestServer;

constexpr const char* k_name = "test.sniprobe";
constexpr long k_day = 24 * 3600;

PlannedTrial planned(int id, Variant v, uint16_t port, std::string name,
                     std::string address = "127.0.0.1") {
    PlannedTrial p;
    p.id = id;
    p.variant = v;
    p.address = std::move(address);
    p.port = port;
    p.server_name = std::move(name);
    return p;
}

ProbeOptions quick(int timeout_ms = 3000) {
    ProbeOptions o;
    o.timeout_ms = timeout_ms;
    o.concurrency = 4;
    return o;
}

const TestCert& self_signed_cert() {
    static TestCert cert = make_cert(k_name, nullptr, -k_day, 30 * k_day, test::CertKind::leaf);
    return cert;
}

TEST(Engine, SniAndNoSniSucceedAndRecordTheHandshake) {
    TestServer server(ServerMode::complete, 2, &self_signed_cert());
    std::vector<PlannedTrial> plan{planned(0, Variant::sni, server.port(), k_name),
                                   planned(1, Variant::no_sni, server.port(), "")};
    std::map<int, uint16_t> bound;
    int progress_calls = 0, done_calls = 0;
    ProbeHooks hooks;
    hooks.on_socket_bound = [&](int id, uint16_t port) { bound[id] = port; };
    hooks.on_progress = [&](int done, int total) {
        ++progress_calls;
        EXPECT_EQ(total, 2);
        EXPECT_EQ(done, progress_calls);
    };
    hooks.on_trial_done = [&](Trial&) { ++done_calls; };
    auto trials = run_trials(plan, quick(), hooks);
    ASSERT_EQ(trials.size(), 2u);
    for (const auto& t : trials) {
        EXPECT_TRUE(t.ok()) << variant_name(t.variant) << ": " << t.failure;
        EXPECT_EQ(t.tls_version, "TLSv1.3");
        EXPECT_FALSE(t.cipher_suite.empty());
        EXPECT_EQ(t.cipher_suite.rfind("TLS_", 0), 0u) << t.cipher_suite;
        EXPECT_EQ(t.alpn, "http/1.1");
        EXPECT_TRUE(t.server_hello_seen);
        EXPECT_GT(t.client_hello_bytes, 100u);
        EXPECT_EQ(t.client_hello_segments, 1);
        ASSERT_TRUE(t.connect_ms && t.hello_sent_ms && t.first_byte_ms);
        EXPECT_LE(*t.connect_ms, *t.hello_sent_ms);
        EXPECT_LE(*t.hello_sent_ms, *t.first_byte_ms);
        EXPECT_GE(t.t, t.t0);
        EXPECT_NE(t.local_port, 0);
        EXPECT_EQ(bound.at(t.id), t.local_port);
    }
    EXPECT_EQ(trials[0].id, 0);
    EXPECT_EQ(trials[0].server_name, k_name);
    EXPECT_EQ(progress_calls, 2);
    EXPECT_EQ(done_calls, 2);
    // What the server received: the name for sni, nothing for no_sni.
    std::multiset<std::string> names;
    for (const auto& seen : server.seen()) {
        auto parse = wire::parse_client_hello(seen.hello_bytes);
        ASSERT_TRUE(parse.hello);
        names.insert(std::string(parse.hello->sni()));
        EXPECT_EQ(seen.handshake_rc, 1);
    }
    EXPECT_EQ(names, (std::multiset<std::string>{"", k_name}));
}

TEST(Engine, Ipv6LoopbackWorks) {
    TestServer server(ServerMode::complete, 1, &self_signed_cert(), nullptr, "", true);
    auto trials = run_trials({planned(0, Variant::sni, server.port(), k_name, "::1")}, quick());
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_TRUE(trials[0].ok()) << trials[0].failure;
}

TEST(Engine, ResetAfterClientHelloIsConnectionReset) {
    TestServer server(ServerMode::reset_after_hello, 1, &self_signed_cert());
    auto trials = run_trials({planned(0, Variant::sni, server.port(), k_name)}, quick());
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_EQ(trials[0].failure, FailureCode::connection_reset);
    EXPECT_EQ(trials[0].failed_operation, FailedOperation::tls_handshake);
    EXPECT_FALSE(trials[0].server_hello_seen);
    EXPECT_TRUE(trials[0].failure_ms.has_value());
    ASSERT_EQ(server.seen().size(), 1u);
    EXPECT_EQ(wire::parse_client_hello(server.seen()[0].hello_bytes).hello->sni(), k_name);
}

TEST(Engine, SilentServerTimesOutInTheHandshake) {
    // A listener that never accepts: the kernel completes the TCP handshake, nobody answers.
    Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(listener.get(), 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len);
    auto trials = run_trials({planned(0, Variant::sni, ntohs(a.sin_port), k_name)}, quick(300));
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_EQ(trials[0].failure, FailureCode::generic_timeout_error);
    EXPECT_EQ(trials[0].failed_operation, FailedOperation::tls_handshake);
    double took = trials[0].t - trials[0].t0;
    EXPECT_GE(took, 0.29);
    EXPECT_LT(took, 1.5);
    EXPECT_TRUE(trials[0].hello_sent_ms.has_value());
}

TEST(Engine, ClosedPortIsConnectionRefused) {
    // Bound but not listening: the kernel answers the SYN with RST.
    Fd closed(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(closed.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(closed.get(), reinterpret_cast<sockaddr*>(&a), &len);
    auto trials = run_trials({planned(0, Variant::sni, ntohs(a.sin_port), k_name)}, quick());
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_EQ(trials[0].failure, FailureCode::connection_refused);
    EXPECT_EQ(trials[0].failed_operation, FailedOperation::connect);
    EXPECT_FALSE(trials[0].connect_ms.has_value());
}

TEST(Engine, SplitTcpSendsTwoSegmentsAndTheServerReassembles) {
    TestServer server(ServerMode::complete, 2, &self_signed_cert());
    auto trials = run_trials({planned(0, Variant::sni_split_tcp, server.port(), k_name),
                              planned(1, Variant::control_split_tcp, server.port(), "example.com")},
                             quick());
    ASSERT_EQ(trials.size(), 2u);
    for (const auto& t : trials) {
        EXPECT_TRUE(t.ok()) << t.failure;
        EXPECT_GE(t.client_hello_segments, 2);
    }
    for (const auto& seen : server.seen()) {
        EXPECT_EQ(seen.handshake_rc, 1);
        auto parse = wire::parse_client_hello(seen.hello_bytes);
        ASSERT_TRUE(parse.hello);
        EXPECT_EQ(parse.hello->record_count, 1);
    }
}

TEST(Engine, SplitRecordSendsTwoRecordsWithTheSameHello) {
    TestServer server(ServerMode::complete, 1, &self_signed_cert());
    auto trials =
        run_trials({planned(0, Variant::sni_split_record, server.port(), k_name)}, quick());
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_TRUE(trials[0].ok()) << trials[0].failure;
    ASSERT_EQ(server.seen().size(), 1u);
    auto parse = wire::parse_client_hello(server.seen()[0].hello_bytes);
    ASSERT_TRUE(parse.hello) << wire::hello_anomaly_name(parse.anomaly);
    EXPECT_EQ(parse.hello->record_count, 2);
    EXPECT_EQ(parse.hello->sni(), k_name);
    EXPECT_EQ(server.seen()[0].handshake_rc, 1);
}

TEST(Engine, LargeHelloSpansMoreThanOneMss) {
    TestServer server(ServerMode::complete, 1, &self_signed_cert());
    auto trials = run_trials({planned(0, Variant::sni_large, server.port(), k_name)}, quick());
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_TRUE(trials[0].ok()) << trials[0].failure;
    EXPECT_GT(trials[0].client_hello_bytes, 1460u);
    auto parse = wire::parse_client_hello(server.seen().at(0).hello_bytes);
    ASSERT_TRUE(parse.hello);
    EXPECT_GT(parse.hello->stream_bytes, 1460u);
    EXPECT_EQ(parse.hello->sni(), k_name);
}

TEST(Engine, FatalUnrecognizedNameAlertIsRecorded) {
    TestServer server(ServerMode::alert_on_sni, 1, &self_signed_cert());
    auto trials = run_trials({planned(0, Variant::sni, server.port(), k_name)}, quick());
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_EQ(trials[0].failure, FailureCode::ssl_failed_handshake);
    EXPECT_EQ(trials[0].failed_operation, FailedOperation::tls_handshake);
    EXPECT_EQ(trials[0].alert_received, "unrecognized_name");
}

TEST(Engine, ManyTrialsUseDistinctPortsWithBoundedConcurrency) {
    constexpr int k_trials = 12;
    TestServer server(ServerMode::complete, k_trials, &self_signed_cert());
    std::vector<PlannedTrial> plan;
    for (int i = 0; i < k_trials; ++i)
        plan.push_back(planned(i, Variant::sni, server.port(), k_name));
    auto trials = run_trials(plan, quick());
    ASSERT_EQ(trials.size(), static_cast<size_t>(k_trials));
    std::set<uint16_t> ports;
    for (int i = 0; i < k_trials; ++i) {
        EXPECT_EQ(trials[static_cast<size_t>(i)].id, i);
        EXPECT_TRUE(trials[static_cast<size_t>(i)].ok()) << trials[static_cast<size_t>(i)].failure;
        ports.insert(trials[static_cast<size_t>(i)].local_port);
    }
    EXPECT_EQ(ports.size(), static_cast<size_t>(k_trials));
}

TEST(Engine, HttpHostRecordsStatusServerAndTitle) {
    TestServer server(ServerMode::http, 1, nullptr, nullptr,
                      "HTTP/1.1 403 Forbidden\r\nServer: Beaver\r\nContent-Type: text/html\r\n\r\n"
                      "<html><head><TITLE>Non-compliance\n ICP Filing</TITLE></head></html>");
    auto trials = run_trials({planned(0, Variant::http_host, server.port(), k_name)}, quick());
    ASSERT_EQ(trials.size(), 1u);
    const Trial& t = trials[0];
    EXPECT_TRUE(t.ok()) << t.failure;
    EXPECT_EQ(t.http_status, 403);
    EXPECT_EQ(t.http_server_header, "Beaver");
    EXPECT_EQ(t.http_title, "Non-compliance ICP Filing");
    EXPECT_NE(server.seen().at(0).request.find("Host: test.sniprobe\r\n"), std::string::npos);
}

TEST(Engine, BadCaFileIsAUsageError) {
    ProbeOptions o = quick();
    o.ca_file = "/nonexistent/ca.pem";
    try {
        run_trials({}, o);
        ADD_FAILURE() << "a missing CA file must be refused";
    } catch (const Fatal& e) {
        EXPECT_EQ(e.code(), ErrorCode::usage);
    }
}

}  // namespace
}  // namespace sniprobe

namespace sniprobe {
namespace {

// Loopback's MSS is ~65 KB; clamped to an Ethernet MSS, the large hello must take two
// data segments while the plain one still takes one.
TEST(Engine, LargeHelloTakesTwoSegmentsOnAnEthernetSizedMss) {
    test::TestServer server(test::ServerMode::complete, 2, &self_signed_cert());
    ProbeOptions o = quick();
    o.mss = 1460;
    auto trials = run_trials({planned(0, Variant::sni_large, server.port(), k_name),
                              planned(1, Variant::sni, server.port(), k_name)},
                             o);
    ASSERT_EQ(trials.size(), 2u);
    EXPECT_TRUE(trials[0].ok()) << trials[0].failure;
    EXPECT_EQ(trials[0].client_hello_segments, 2);
    EXPECT_EQ(trials[1].client_hello_segments, 1);
}

// Ctrl-C mid-run: the loop wakes on the interrupt pipe, closes everything and returns only
// finished trials, long before the 5 s per-trial timeout. Runs in a forked child because
// the interrupt flag cannot be cleared once set.
TEST(EngineDeathTest, InterruptStopsTheLoopPromptly) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            install_interrupt_handler();
            Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            ::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
            ::listen(listener.get(), 8);
            socklen_t len = sizeof a;
            ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len);
            std::vector<PlannedTrial> plan;
            for (int i = 0; i < 4; ++i)
                plan.push_back(planned(i, Variant::sni, ntohs(a.sin_port), k_name));
            ProbeHooks hooks;
            int bound = 0;
            hooks.on_socket_bound = [&](int, uint16_t) {
                if (++bound == 2) ::raise(SIGINT);
            };
            // The listener never answers: without the interrupt the trials would wait out
            // their 20 s timeout. A quarter of it leaves room for a loaded sanitizer run.
            double start = monotonic_seconds();
            auto trials = run_trials(plan, quick(20000), hooks);
            double took = monotonic_seconds() - start;
            std::exit(trials.empty() && took < 5.0 && interrupted() ? 0 : 1);
        },
        ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace sniprobe
