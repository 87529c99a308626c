// "Nothing allocated per probe on the hot path", measured: two streaming runs of forged
// ClientHello probes against the loopback server, one of 40 probes and one of 200, count
// the operator new calls made on the engine's thread (the server's thread is not
// counted). Setup (contexts, slots, hello templates) costs the same in both; anything a
// probe allocated would make the longer run count more. Names are longer than the
// small-string buffer, so a copied name would show.
#include <gtest/gtest.h>

#include "probe/engine.hpp"
#include "probe/tls_session.hpp"
#include "sni_server.hpp"
#include "support/counting_new.hpp"

namespace sniprobe {
namespace {

const test::TestCert& server_cert() {
    static test::TestCert cert =
        test::make_cert("default.test", nullptr, -3600, 30 * 24 * 3600L, test::CertKind::leaf);
    return cert;
}

struct Counted {
    long allocations = 0;
    int ok = 0;
    size_t finished = 0;
};

// Runs `probes` forged-hello probes (openssl shape, stop at the ServerHello) and counts
// the allocations of the whole run on this thread.
Counted run_counted(uint16_t port, int probes,
                    std::optional<forge::Shape> shape = forge::Shape::openssl) {
    std::vector<std::optional<PlannedTrial>> plan;
    for (int i = 0; i < probes; ++i)
        plan.emplace_back(
            PlannedTrial{i, Variant::sni, "127.0.0.1", port,
                         "probe-" + std::to_string(1000 + i) + ".allocation.ok.test"});
    ProbeOptions options;
    options.concurrency = 4;
    options.timeout_ms = 4000;
    options.depth = HandshakeDepth::server_hello;
    options.hello_shape = shape;
    size_t next = 0;
    Counted c;
    TrialSource source = [&]() -> std::optional<PlannedTrial> {
        if (next >= plan.size()) return std::nullopt;
        return std::move(plan[next++]);
    };
    ProbeHooks hooks;
    hooks.on_trial_done = [&](Trial& t) {
        if (t.ok() && t.server_hello_seen && t.cipher_suite.starts_with("TLS_")) ++c.ok;
    };
    {
        test::AllocationCounter counter;
        c.finished = run_trial_stream(source, options, hooks);
        c.allocations = counter.count();
    }
    return c;
}

TEST(EngineAllocations, AProbeAllocatesNothing) {
    test::SniFilterServer server(server_cert(), ".blocked.test");
    Counted shorter = run_counted(server.port(), 40);
    Counted longer = run_counted(server.port(), 200);
    ASSERT_EQ(shorter.finished, 40u);
    ASSERT_EQ(longer.finished, 200u);
    // Every probe succeeded, so both runs took the same (success) path.
    ASSERT_EQ(shorter.ok, 40);
    ASSERT_EQ(longer.ok, 200);
    EXPECT_GT(shorter.allocations, 0);  // the counter works: setup allocates
    EXPECT_EQ(longer.allocations, shorter.allocations)
        << "160 more probes allocated " << (longer.allocations - shorter.allocations)
        << " more times";
}

// A run of forged hellos makes no SSL object, so it builds no SSL_CTX (each costs as much
// as two hundred probes); a run of OpenSSL's own hellos builds the one it needs.
TEST(EngineContexts, ForgedProbesBuildNoTlsContext) {
    test::SniFilterServer server(server_cert(), ".blocked.test");
    const long before = TlsContexts::contexts_built();
    Counted forged = run_counted(server.port(), 20);
    ASSERT_EQ(forged.ok, 20);
    EXPECT_EQ(TlsContexts::contexts_built(), before);

    Counted openssl = run_counted(server.port(), 20, std::nullopt);
    ASSERT_EQ(openssl.finished, 20u);
    EXPECT_EQ(TlsContexts::contexts_built(), before + 1);
}

TEST(EngineContexts, ContextsAreBuiltOnFirstUse) {
    auto lazy = TlsContexts::create("", TlsContexts::TrustStore::on_first_use);
    ASSERT_TRUE(lazy);
    EXPECT_FALSE(lazy->built(TlsProfile::handshake));
    EXPECT_FALSE(lazy->built(TlsProfile::verify));
    {
        TlsSession session(*lazy, TlsProfile::handshake, "a.test", "127.0.0.1");
        EXPECT_EQ(session.advance(), HandshakeStatus::in_progress);
    }
    EXPECT_TRUE(lazy->built(TlsProfile::handshake));
    EXPECT_FALSE(lazy->built(TlsProfile::verify));

    // A trust store to load now is loaded (and a bad one reported) by create().
    auto eager = TlsContexts::create("", TlsContexts::TrustStore::load);
    ASSERT_TRUE(eager);
    EXPECT_TRUE(eager->built(TlsProfile::verify));
    EXPECT_FALSE(eager->built(TlsProfile::handshake));
    EXPECT_FALSE(TlsContexts::create("/nonexistent/ca.pem", TlsContexts::TrustStore::load));
}

}  // namespace
}  // namespace sniprobe
