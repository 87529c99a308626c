// scan --quic on loopback: TCP answers every name, a QUIC responder on the same port
// number drops the Initials naming *.blocked.test. Blocked names must come out
// quic_sni_block, the rest ok, with the QUIC variants in the same record; every target
// costs --trials quic_sni probes and every batch one set of QUIC controls per address;
// batches respect the per-address cap; the fast line writer agrees with the tree. Without a QUIC
// server (ICMP port unreachable) no name is blamed.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "quic_server.hpp"
#include "scan/scanner.hpp"
#include "sni_server.hpp"

namespace sniprobe::scan {
namespace {

using test::make_cert;
using test::QuicFilterServer;
using test::SniFilterServer;
using test::TestCert;

const TestCert& server_cert() {
    static TestCert cert =
        make_cert("default.test", nullptr, -3600, 30 * 24 * 3600L, test::CertKind::leaf);
    return cert;
}

std::vector<ScanRecord> scan_names(uint16_t port, int count, int blocked_every,
                                   const ScanOptions& options, ScanStats& stats) {
    int next = 0;
    TargetSource source = [&]() -> std::optional<ScanTarget> {
        if (next >= count) return std::nullopt;
        ScanTarget t;
        const int i = next++;
        t.host = "n" + std::to_string(i) + (i % blocked_every == 0 ? ".blocked.test" : ".ok.test");
        t.ip = "127.0.0.1";
        t.ip_given = true;
        t.port = port;
        t.line = i + 1;
        return t;
    };
    std::vector<ScanRecord> records;
    RecordSink sink = [&](const ScanRecord& r) { records.push_back(r); };
    stats = run_scan(source, options, sink);
    return records;
}

ScanOptions quic_options() {
    ScanOptions options;
    options.quic = true;
    options.trials = 2;
    options.control_trials = 3;
    options.quic_control_trials = 3;
    options.concurrency = 32;
    options.per_address = 16;  // 9 controls + 2 per name: 3 names a batch
    options.timeout_ms = 1000;
    options.window_targets = 4;
    options.quic_chunk_targets = 5;
    return options;
}

std::map<Variant, VariantStats> by_variant(const ScanRecord& r) {
    std::map<Variant, VariantStats> out;
    for (const auto& s : r.variants) out[s.variant] = s;
    return out;
}

TEST(ScanQuic, NamesDroppedOverQuicAreQuicSniBlockInTheSameRecord) {
    SniFilterServer tcp(server_cert(), ".nothing-blocked.test");
    QuicFilterServer udp(tcp.port(), ".blocked.test");
    if (!udp.bound()) GTEST_SKIP() << "UDP port " << tcp.port() << " is taken";
    const ScanOptions options = quic_options();
    ScanStats stats;
    const auto records = scan_names(tcp.port(), 12, 4, options, stats);
    ASSERT_EQ(records.size(), 12u);
    EXPECT_FALSE(stats.interrupted);
    // Chunks of 5, 5 and 2 names; 3 names a batch: 2 + 2 + 1 batches.
    EXPECT_EQ(stats.quic_batches, 5);
    EXPECT_EQ(stats.trials, 12 * 2 + 2 * 3 + stats.quic_batches * 9 + 12 * 2);
    EXPECT_EQ(udp.dropped(), 3 * 2);  // n0, n4, n8: every quic_sni probe
    EXPECT_EQ(udp.pings(), stats.quic_batches * 3);
    for (const auto& r : records) {
        const bool blocked = r.target.host.ends_with(".blocked.test");
        EXPECT_EQ(r.verdict.cause, blocked ? Cause::quic_sni_block : Cause::ok)
            << r.target.host << ": " << r.verdict.summary;
        auto v = by_variant(r);
        ASSERT_TRUE(v.contains(Variant::sni) && v.contains(Variant::quic_sni) &&
                    v.contains(Variant::quic_control) && v.contains(Variant::quic_no_sni) &&
                    v.contains(Variant::quic_version_ping))
            << r.target.host;
        EXPECT_EQ(v[Variant::sni].ok, 2) << r.target.host;  // TCP fine for every name
        EXPECT_EQ(v[Variant::quic_sni].trials, 2);
        EXPECT_EQ(v[Variant::quic_sni].ok, blocked ? 0 : 2) << r.target.host;
        EXPECT_EQ(v[Variant::quic_control].trials, 3);
        EXPECT_EQ(v[Variant::quic_control].ok, 3);
        EXPECT_EQ(v[Variant::quic_no_sni].ok, 3);
        EXPECT_EQ(r.tls_version, "TLSv1.3");
        // The line carries the QUIC rows beside the TCP ones.
        const std::string line = record_json(r);
        EXPECT_NE(line.find("\"quic_sni\":{\"trials\":2"), std::string::npos) << line;
        std::ostringstream written;
        write_record(written, r);
        EXPECT_EQ(written.str(), line + "\n");  // the fast writer agrees on QUIC rows too
    }
}

TEST(ScanQuic, NoQuicServerBlamesNoName) {
    SniFilterServer tcp(server_cert(), ".nothing-blocked.test");  // no UDP listener: refused
    ScanOptions options = quic_options();
    ScanStats stats;
    const auto records = scan_names(tcp.port(), 4, 2, options, stats);
    ASSERT_EQ(records.size(), 4u);
    for (const auto& r : records) {
        EXPECT_EQ(r.verdict.cause, Cause::ok) << r.target.host << ": " << r.verdict.summary;
        auto v = by_variant(r);
        EXPECT_EQ(v[Variant::quic_sni].trials, 2);
        EXPECT_EQ(v[Variant::quic_sni].ok, 0);
    }
}

TEST(ScanQuic, WithoutQuicNoQuicProbes) {
    SniFilterServer tcp(server_cert(), ".nothing-blocked.test");
    QuicFilterServer udp(tcp.port(), ".blocked.test");
    if (!udp.bound()) GTEST_SKIP() << "UDP port " << tcp.port() << " is taken";
    ScanOptions options = quic_options();
    options.quic = false;
    ScanStats stats;
    const auto records = scan_names(tcp.port(), 4, 2, options, stats);
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(stats.quic_batches, 0);
    EXPECT_EQ(udp.answered() + udp.dropped() + udp.pings(), 0);
    for (const auto& r : records) EXPECT_FALSE(by_variant(r).contains(Variant::quic_sni));
}

}  // namespace
}  // namespace sniprobe::scan
