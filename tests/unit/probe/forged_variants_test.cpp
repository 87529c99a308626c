// The forged-hello variants through the engine against a real OpenSSL 3.0 server on
// loopback: the browser shapes, sni's shape with GREASE ECH, and their control twins get a
// ServerHello (success, TLS 1.3; an OpenSSL 3.0 server ignores the ECH extension), the server
// receives exactly the shape's hello with the planned name, an alert is recorded by name, and with
// a hello shape chosen the plain variants are forged too.
#include <gtest/gtest.h>

#include <algorithm>

#include "probe/engine.hpp"
#include "tls_test_server.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe {
namespace {

using test::make_cert;
using test::ServerMode;
using test::TestCert;
using test::TestServer;

constexpr const char* k_name = "forged.sniprobe";

PlannedTrial planned(int id, Variant v, uint16_t port, std::string name) {
    PlannedTrial p;
    p.id = id;
    p.variant = v;
    p.address = "127.0.0.1";
    p.port = port;
    p.server_name = std::move(name);
    return p;
}

const TestCert& cert() {
    static TestCert c = make_cert(k_name, nullptr, -3600, 30 * 24 * 3600, test::CertKind::leaf);
    return c;
}

ProbeOptions quick() {
    ProbeOptions o;
    o.timeout_ms = 3000;
    o.concurrency = 2;
    return o;
}

bool has_group(const wire::ClientHello& h, uint16_t group) {
    return std::find(h.key_share_groups.begin(), h.key_share_groups.end(), group) !=
           h.key_share_groups.end();
}

TEST(ForgedVariants, BrowserShapesAndTheirControlsGetAServerHello) {
    const std::vector<Variant> variants{Variant::sni_chrome,    Variant::control_chrome,
                                        Variant::sni_firefox,   Variant::control_firefox,
                                        Variant::control_large, Variant::sni_ech,
                                        Variant::control_ech};
    TestServer server(ServerMode::complete, static_cast<int>(variants.size()), &cert());
    std::vector<PlannedTrial> plan;
    for (size_t i = 0; i < variants.size(); ++i) {
        bool control = variant_name(variants[i]).starts_with("control");
        plan.push_back(planned(static_cast<int>(i), variants[i], server.port(),
                               control ? "example.com" : k_name));
    }
    auto trials = run_trials(plan, quick());
    ASSERT_EQ(trials.size(), variants.size());
    for (const auto& t : trials) {
        SCOPED_TRACE(std::string(variant_name(t.variant)));
        EXPECT_TRUE(t.ok()) << t.failure.text();
        EXPECT_TRUE(t.server_hello_seen);
        EXPECT_EQ(t.tls_version, "TLSv1.3");
    }
    ASSERT_EQ(server.seen().size(), variants.size());
    for (const auto& seen : server.seen()) {
        auto parse = wire::parse_client_hello(seen.hello_bytes);
        ASSERT_TRUE(parse.hello);
        const auto& h = *parse.hello;
        const bool ech =
            std::any_of(h.extensions.begin(), h.extensions.end(),
                        [](const wire::HelloExtension& e) { return e.type == 0xfe0d; });
        EXPECT_TRUE(ech);  // every one of these carries GREASE ECH, as browsers do
        if (has_group(h, 0x11ec)) {
            EXPECT_GT(h.stream_bytes, 1460u);  // chrome or large: two segments
        } else if (has_group(h, 0x0017)) {
            EXPECT_EQ(h.key_share_groups.size(), 2u);  // firefox: X25519 and P-256 shares
        } else {
            // sni_ech / control_ech: sni's OpenSSL shape, one X25519 share, plus ECH last.
            EXPECT_EQ(h.key_share_groups, std::vector<uint16_t>{0x001d});
            EXPECT_EQ(h.extensions.back().type, 0xfe0d);
        }
        EXPECT_TRUE(h.sni() == k_name || h.sni() == "example.com") << h.sni();
    }
}

TEST(ForgedVariants, AnAlertIsRecordedByName) {
    TestServer server(ServerMode::alert_on_sni, 1, &cert());
    auto trials = run_trials({planned(0, Variant::sni_chrome, server.port(), k_name)}, quick());
    ASSERT_EQ(trials.size(), 1u);
    EXPECT_EQ(trials[0].failure, FailureCode::ssl_failed_handshake);
    EXPECT_EQ(trials[0].alert_received, "unrecognized_name");
}

TEST(ForgedVariants, AHelloShapeForgesThePlainVariantsAtServerHelloDepth) {
    TestServer server(ServerMode::complete, 2, &cert());
    ProbeOptions o = quick();
    o.depth = HandshakeDepth::server_hello;
    o.hello_shape = forge::Shape::minimal;
    auto trials = run_trials({planned(0, Variant::sni, server.port(), k_name),
                              planned(1, Variant::no_sni, server.port(), "")},
                             o);
    ASSERT_EQ(trials.size(), 2u);
    for (const auto& t : trials) EXPECT_TRUE(t.ok()) << t.failure.text();
    ASSERT_EQ(server.seen().size(), 2u);
    for (const auto& seen : server.seen()) {
        auto parse = wire::parse_client_hello(seen.hello_bytes);
        ASSERT_TRUE(parse.hello);
        EXPECT_EQ(parse.hello->cipher_suites, std::vector<uint16_t>{0x1301});  // minimal
    }
}

}  // namespace
}  // namespace sniprobe
