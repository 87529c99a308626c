// The scan pipeline on loopback: a server that resets handshakes naming *.blocked.test
// and completes the rest. Every blocked name must come out sni_reset, every other ok,
// the controls must be probed once per address, the window must stay bounded, and the
// engine's additions (ClientHello-only depth, streaming, pacing) must hold.
#include "scan/scanner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "probe/engine.hpp"
#include "sni_server.hpp"

namespace sniprobe::scan {
namespace {

using test::make_cert;
using test::SniFilterServer;
using test::TestCert;

const TestCert& server_cert() {
    static TestCert cert =
        make_cert("default.test", nullptr, -3600, 30 * 24 * 3600L, test::CertKind::leaf);
    return cert;
}

struct Collected {
    std::vector<ScanRecord> records;
    ScanStats stats;
};

Collected scan_names(uint16_t port, int count, int blocked_every, ScanOptions options) {
    int next = 0;
    TargetSource source = [&]() -> std::optional<ScanTarget> {
        if (next >= count) return std::nullopt;
        ScanTarget t;
        int i = next++;
        t.host = i % blocked_every == 0 ? "n" + std::to_string(i) + ".blocked.test"
                                        : "n" + std::to_string(i) + ".ok.test";
        t.ip = "127.0.0.1";
        t.ip_given = true;
        t.port = port;
        t.line = i + 1;
        return t;
    };
    Collected c;
    RecordSink sink = [&](const ScanRecord& r) { c.records.push_back(r); };
    c.stats = run_scan(source, options, sink);
    return c;
}

TEST(Scanner, BlockedNamesAreSniResetAndTheRestOk) {
    SniFilterServer server(server_cert(), ".blocked.test");
    ScanOptions options;
    options.trials = 3;
    options.control_trials = 5;
    options.concurrency = 16;
    options.timeout_ms = 4000;
    options.window_targets = 6;
    auto c = scan_names(server.port(), 30, 5, options);
    ASSERT_EQ(c.records.size(), 30u);
    EXPECT_FALSE(c.stats.interrupted);
    EXPECT_EQ(c.stats.targets, 30);
    EXPECT_EQ(c.stats.control_sets, 1);           // one address: controls probed once
    EXPECT_EQ(c.stats.trials, 30 * 3 + 2 * 5);    // not once per name
    EXPECT_LE(c.stats.max_targets_in_flight, 6);  // the window holds
    EXPECT_LE(c.stats.max_address_in_flight, 16);
    std::set<std::string> hosts;
    for (const auto& r : c.records) {
        hosts.insert(r.target.host);
        const bool blocked = r.target.host.ends_with(".blocked.test");
        EXPECT_EQ(r.verdict.cause, blocked ? Cause::sni_reset : Cause::ok)
            << r.target.host << ": " << r.verdict.summary;
        ASSERT_FALSE(r.variants.empty());
        const VariantStats* sni = nullptr;
        for (const auto& s : r.variants)
            if (s.variant == Variant::sni) sni = &s;
        ASSERT_NE(sni, nullptr);
        EXPECT_EQ(sni->trials, 3);
        if (blocked) {
            EXPECT_EQ(sni->failures.at("connection_reset"), 3);
        } else {
            EXPECT_EQ(sni->ok, 3);
            EXPECT_EQ(r.tls_version, "TLSv1.3");
        }
    }
    EXPECT_EQ(hosts.size(), 30u);  // no duplicates
    EXPECT_EQ(server.resets(), 6 * 3);
}

TEST(Scanner, ConnectionsToOneAddressAreCapped) {
    SniFilterServer server(server_cert(), ".blocked.test");
    ScanOptions options;
    options.trials = 2;
    options.control_trials = 3;
    options.concurrency = 32;
    options.per_address = 3;
    auto c = scan_names(server.port(), 12, 4, options);
    ASSERT_EQ(c.records.size(), 12u);
    EXPECT_GE(c.stats.max_address_in_flight, 1);
    EXPECT_LE(c.stats.max_address_in_flight, 3);
    for (const auto& r : c.records)
        EXPECT_EQ(r.verdict.cause,
                  r.target.host.ends_with(".blocked.test") ? Cause::sni_reset : Cause::ok)
            << r.target.host;
}

TEST(Scanner, FullHandshakesAgree) {
    SniFilterServer server(server_cert(), ".blocked.test");
    ScanOptions options;
    options.trials = 3;
    options.control_trials = 4;
    options.concurrency = 8;
    options.depth = HandshakeDepth::complete;
    auto c = scan_names(server.port(), 6, 3, options);
    ASSERT_EQ(c.records.size(), 6u);
    for (const auto& r : c.records)
        EXPECT_EQ(r.verdict.cause,
                  r.target.host.ends_with(".blocked.test") ? Cause::sni_reset : Cause::ok)
            << r.target.host;
}

TEST(Scanner, RefusedAddressIsTcpUnreachableForEveryName) {
    // A port nobody listens on: bind, read the port, close.
    Fd probe(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(probe.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&a), &len);
    uint16_t port = ntohs(a.sin_port);
    probe.reset();
    ScanOptions options;
    options.control_trials = 3;
    auto c = scan_names(port, 4, 2, options);
    ASSERT_EQ(c.records.size(), 4u);
    for (const auto& r : c.records)
        EXPECT_EQ(r.verdict.cause, Cause::tcp_unreachable) << r.target.host;
}

TEST(Engine, ClientHelloOnlyStopsAtTheServerHello) {
    SniFilterServer server(server_cert(), ".blocked.test");
    ProbeOptions options;
    options.concurrency = 2;
    options.depth = HandshakeDepth::server_hello;
    std::vector<PlannedTrial> plan(2);
    plan[0] = {0, Variant::sni, "127.0.0.1", server.port(), "a.ok.test"};
    plan[1] = {1, Variant::sni, "127.0.0.1", server.port(), "a.blocked.test"};
    auto trials = run_trials(plan, options);
    ASSERT_EQ(trials.size(), 2u);
    EXPECT_TRUE(trials[0].ok()) << trials[0].failure;
    EXPECT_TRUE(trials[0].server_hello_seen);
    EXPECT_EQ(trials[0].tls_version, "TLSv1.3");
    EXPECT_EQ(trials[0].cipher_suite.rfind("TLS_", 0), 0u) << trials[0].cipher_suite;
    EXPECT_TRUE(trials[0].alpn.empty());  // ALPN is in EncryptedExtensions: never read
    EXPECT_EQ(trials[1].failure, FailureCode::connection_reset);
    EXPECT_FALSE(trials[1].server_hello_seen);
}

TEST(Engine, StreamPullsUntilDrainedAndKeepsNothing) {
    SniFilterServer server(server_cert(), ".blocked.test");
    ProbeOptions options;
    options.concurrency = 3;
    options.depth = HandshakeDepth::server_hello;
    int handed = 0, done = 0;
    std::set<uint16_t> ports;
    TrialSource source = [&]() -> std::optional<PlannedTrial> {
        if (handed >= 9) return std::nullopt;
        PlannedTrial p{handed, Variant::sni, "127.0.0.1", server.port(), "s.ok.test"};
        ++handed;
        return p;
    };
    ProbeHooks hooks;
    hooks.on_trial_done = [&](Trial& t) {
        ++done;
        EXPECT_TRUE(t.ok()) << t.failure;
    };
    // Asking for the port makes the engine bind before connect, as capture needs.
    hooks.on_socket_bound = [&](int, uint16_t port) { ports.insert(port); };
    EXPECT_EQ(run_trial_stream(source, options, hooks), 9u);
    EXPECT_EQ(done, 9);
    EXPECT_EQ(ports.size(), 9u);  // a fresh source port per trial
}

TEST(Engine, PacingSpacesNewConnections) {
    SniFilterServer server(server_cert(), ".blocked.test");
    ProbeOptions options;
    options.concurrency = 20;
    options.depth = HandshakeDepth::server_hello;
    options.max_new_per_second = 50;  // 10 connections: at least ~9 / 50 s
    std::vector<PlannedTrial> plan;
    for (int i = 0; i < 10; ++i)
        plan.push_back({i, Variant::sni, "127.0.0.1", server.port(), "p.ok.test"});
    auto started = std::chrono::steady_clock::now();
    auto trials = run_trials(plan, options);
    double elapsed_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ASSERT_EQ(trials.size(), 10u);
    EXPECT_GE(elapsed_s, 0.15);
    double first = trials.front().t0, last = trials.back().t0;
    EXPECT_GE(last - first, 0.15);  // starts spread, not a burst
}

}  // namespace
}  // namespace sniprobe::scan
