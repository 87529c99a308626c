// The forge against our own ClientHello parser: every shape, with and without a name,
// parses cleanly with the SNI at the offset the forge reports; Chrome's hello carries a
// well-formed ML-KEM-768 key and permutes its extensions between GREASE bookends; the
// openssl shape matches what OpenSSL 3.0 itself writes, byte for byte outside the random
// fields; and forge() allocates nothing.
#include <gtest/gtest.h>

#include <openssl/ssl.h>
#include <algorithm>

#include <set>
#include <string>

#include "forge/hello_forge.hpp"
#include "forge_test_util.hpp"
#include "support/counting_new.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe::forge {
namespace {

using test::extensions_of;
using test::find_extension;
using test::make_template;

constexpr size_t k_mss = 1460;

std::vector<ForgeOptions> every_shape_and_name() {
    std::vector<ForgeOptions> out;
    for (Shape s : all_shapes())
        for (const char* name : {"", "example.com", "a-much-longer-name.subdomain.example.org"}) {
            ForgeOptions o;
            o.shape = s;
            o.server_name = name;
            out.push_back(o);
        }
    return out;
}

TEST(HelloForge, EveryShapeParsesWithTheSniAtTheReportedOffset) {
    for (const auto& options : every_shape_and_name()) {
        SCOPED_TRACE(std::string(shape_name(options.shape)) + " '" + options.server_name + "'");
        auto t = make_template(options);
        for (int round = 0; round < 20; ++round) {
            auto hello = t.forge();
            auto parsed = wire::parse_client_hello(hello.bytes);
            ASSERT_EQ(parsed.anomaly, wire::HelloAnomaly::none)
                << wire::hello_anomaly_name(parsed.anomaly);
            const auto& h = *parsed.hello;
            EXPECT_EQ(h.stream_bytes, hello.bytes.size());
            EXPECT_EQ(h.record_count, 1);
            EXPECT_EQ(h.sni(), options.server_name);
            if (options.server_name.empty()) {
                EXPECT_FALSE(hello.sni_offset);
                EXPECT_FALSE(h.sni_offset);
            } else {
                ASSERT_TRUE(hello.sni_offset);
                EXPECT_EQ(h.sni_offset, hello.sni_offset);
                std::string at(
                    reinterpret_cast<const char*>(hello.bytes.data()) + *hello.sni_offset,
                    hello.sni_length);
                EXPECT_EQ(at, options.server_name);
            }
            EXPECT_NE(std::find(h.supported_versions.begin(), h.supported_versions.end(), 0x0304),
                      h.supported_versions.end());
            EXPECT_FALSE(h.key_share_groups.empty());
        }
    }
}

TEST(HelloForge, RandomFieldsDifferPerProbe) {
    ForgeOptions o;
    o.shape = Shape::chrome;
    o.server_name = "example.com";
    auto t = make_template(o);
    auto first = t.forge();
    std::vector<uint8_t> a(first.bytes.begin(), first.bytes.end());
    auto second = t.forge();
    std::vector<uint8_t> b(second.bytes.begin(), second.bytes.end());
    EXPECT_NE(std::vector<uint8_t>(a.begin() + 11, a.begin() + 43),
              std::vector<uint8_t>(b.begin() + 11, b.begin() + 43));  // random
    EXPECT_NE(std::vector<uint8_t>(a.begin() + 44, a.begin() + 76),
              std::vector<uint8_t>(b.begin() + 44, b.begin() + 76));  // session id
}

TEST(HelloForge, ChromeOffersAWellFormedMlKemKeyShare) {
    ForgeOptions o;
    o.shape = Shape::chrome;
    o.server_name = "example.com";
    auto t = make_template(o);
    for (int round = 0; round < 10; ++round) {
        auto hello = t.forge();
        auto ks = find_extension(hello.bytes, k_ext_key_share);
        ASSERT_TRUE(ks);
        auto b = hello.bytes;
        size_t at = ks->body_offset + 2;
        // GREASE share of one byte, then X25519MLKEM768 (1184 + 32), then X25519.
        uint16_t g0 = static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
        EXPECT_TRUE(is_grease(g0));
        EXPECT_EQ((b[at + 2] << 8) | b[at + 3], 1);
        at += 5;
        ASSERT_EQ((b[at] << 8) | b[at + 1], k_group_x25519_mlkem768);
        ASSERT_EQ((b[at + 2] << 8) | b[at + 3], 1216);
        const uint8_t* ek = &b[at + 4];
        for (size_t i = 0; i < 1152; i += 3) {
            unsigned c0 = ek[i] | ((ek[i + 1] & 0x0f) << 8);
            unsigned c1 = (ek[i + 1] >> 4) | (ek[i + 2] << 4);
            ASSERT_LT(c0, 3329u) << "coefficient at byte " << i;
            ASSERT_LT(c1, 3329u) << "coefficient at byte " << i;
        }
        at += 4 + 1216;
        EXPECT_EQ((b[at] << 8) | b[at + 1], k_group_x25519);
        EXPECT_EQ((b[at + 2] << 8) | b[at + 3], 32);
        // The group GREASE in supported_groups and key_share is the same value.
        auto groups = find_extension(hello.bytes, 0x000a);
        ASSERT_TRUE(groups);
        EXPECT_EQ((b[groups->body_offset + 2] << 8) | b[groups->body_offset + 3], g0);
        // Two TCP segments: the hello is larger than one MSS.
        EXPECT_GT(hello.bytes.size(), k_mss);
        EXPECT_LT(hello.bytes.size(), 2200u);
    }
}

TEST(HelloForge, ChromePermutesBetweenGreaseBookends) {
    ForgeOptions o;
    o.shape = Shape::chrome;
    o.server_name = "example.com";
    auto t = make_template(o);
    std::set<std::vector<uint16_t>> orders;
    std::set<size_t> sni_offsets;
    for (int round = 0; round < 30; ++round) {
        auto hello = t.forge();
        auto exts = extensions_of(hello.bytes);
        ASSERT_EQ(exts.size(), 18u);
        EXPECT_TRUE(is_grease(exts.front().type));
        EXPECT_EQ(exts.front().length, 0u);
        EXPECT_TRUE(is_grease(exts.back().type));
        EXPECT_EQ(exts.back().length, 1u);
        EXPECT_NE(exts.front().type, exts.back().type);
        std::vector<uint16_t> types;
        for (const auto& e : exts) types.push_back(is_grease(e.type) ? 0x0a0a : e.type);
        orders.insert(types);
        sni_offsets.insert(*hello.sni_offset);
    }
    EXPECT_GT(orders.size(), 20u);
    EXPECT_GT(sni_offsets.size(), 5u);
}

TEST(HelloForge, SniPlacementLastPushesTheNameIntoTheSecondSegment) {
    ForgeOptions o;
    o.shape = Shape::chrome;
    o.server_name = "example.com";
    o.sni_placement = SniPlacement::last;
    auto t = make_template(o);
    for (int round = 0; round < 30; ++round) {
        auto hello = t.forge();
        ASSERT_TRUE(hello.sni_offset);
        EXPECT_GT(*hello.sni_offset, k_mss);
        EXPECT_FALSE(hello.sni_in_first_segment(k_mss));
        auto exts = extensions_of(hello.bytes);
        EXPECT_EQ(exts[exts.size() - 2].type, k_ext_server_name);
        EXPECT_EQ(wire::parse_client_hello(hello.bytes).hello->sni(), "example.com");
    }
    o.sni_placement = SniPlacement::first;
    auto early = make_template(o);
    for (int round = 0; round < 30; ++round) {
        auto hello = early.forge();
        EXPECT_TRUE(hello.sni_in_first_segment(k_mss));
        EXPECT_EQ(extensions_of(hello.bytes)[1].type, k_ext_server_name);
    }
}

TEST(HelloForge, FixedOrderIsStableAndPermutedOrderIsNot) {
    ForgeOptions o;
    o.shape = Shape::firefox;
    o.server_name = "example.com";
    auto t = make_template(o);
    auto types = [](std::span<const uint8_t> b) {
        std::vector<uint16_t> out;
        for (const auto& e : extensions_of(b)) out.push_back(e.type);
        return out;
    };
    auto first = types(t.forge().bytes);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(types(t.forge().bytes), first);
    o.order = ExtensionOrder::permuted;
    auto p = make_template(o);
    std::set<std::vector<uint16_t>> seen;
    for (int i = 0; i < 10; ++i) seen.insert(types(p.forge().bytes));
    EXPECT_GT(seen.size(), 1u);
}

TEST(HelloForge, EchGreaseFollowsRfc9849OuterShape) {
    ForgeOptions o;
    o.shape = Shape::minimal;
    o.server_name = "example.com";
    o.ech = EchGrease::on;
    auto t = make_template(o);
    std::set<size_t> payload_lengths;
    for (int i = 0; i < 40; ++i) {
        auto hello = t.forge();
        auto ech = find_extension(hello.bytes, k_ext_ech);
        ASSERT_TRUE(ech);
        auto b = hello.bytes;
        size_t at = ech->body_offset;
        EXPECT_EQ(b[at], 0);                                  // outer
        EXPECT_EQ((b[at + 1] << 8) | b[at + 2], 0x0001);      // HKDF-SHA256
        EXPECT_EQ((b[at + 5 + 1] << 8) | b[at + 5 + 2], 32);  // enc
        size_t payload = (b[at + 40] << 8) | b[at + 41];
        EXPECT_EQ(ech->length, 42 + payload);
        payload_lengths.insert(payload);
    }
    EXPECT_EQ(payload_lengths, (std::set<size_t>{144, 176, 208, 240}));
    o.shape = Shape::chrome;
    o.ech = EchGrease::off;
    auto off = make_template(o);
    EXPECT_FALSE(find_extension(off.forge().bytes, k_ext_ech));
}

TEST(HelloForge, EarlyEchSitsRightAfterTheNameInEveryPermutation) {
    ForgeOptions o;
    o.shape = Shape::chrome;
    o.server_name = "example.com";
    o.sni_placement = SniPlacement::first;
    o.ech = EchGrease::early;
    auto t = make_template(o);
    std::set<std::vector<uint16_t>> orders;
    for (int i = 0; i < 20; ++i) {
        auto hello = t.forge();
        auto parsed = wire::parse_client_hello(hello.bytes);
        ASSERT_TRUE(parsed.hello);
        const auto& ext = parsed.hello->extensions;
        std::vector<uint16_t> order;
        for (const auto& e : ext) order.push_back(e.type);
        orders.insert(order);
        auto name = std::find(order.begin(), order.end(), k_ext_server_name);
        ASSERT_NE(name, order.end());
        ASSERT_NE(name + 1, order.end());
        EXPECT_EQ(*(name + 1), k_ext_ech);
        // Both in the first 1200 bytes, ahead of the 1.2 KB post-quantum key share.
        EXPECT_LT(find_extension(hello.bytes, k_ext_ech)->body_offset, 1200u);
    }
    EXPECT_GT(orders.size(), 1u);  // the rest is still permuted
    // Without a name it goes first, after the leading GREASE.
    o.server_name.clear();
    auto unnamed = make_template(o);
    auto parsed = wire::parse_client_hello(unnamed.forge().bytes);
    ASSERT_TRUE(parsed.hello);
    ASSERT_GE(parsed.hello->extensions.size(), 2u);
    EXPECT_EQ(parsed.hello->extensions[1].type, k_ext_ech);
}

TEST(HelloForge, FirefoxWithoutEchIsPaddedTo512Bytes) {
    ForgeOptions o;
    o.shape = Shape::firefox;
    o.server_name = "example.com";
    o.ech = EchGrease::off;
    auto t = make_template(o);
    auto hello = t.forge();
    EXPECT_EQ(hello.bytes.size() - 5, 512u);
    EXPECT_TRUE(find_extension(hello.bytes, k_ext_padding));
    EXPECT_EQ(wire::parse_client_hello(hello.bytes).anomaly, wire::HelloAnomaly::none);
}

TEST(HelloForge, RejectsOverlongNames) {
    ForgeOptions o;
    o.server_name = std::string(256, 'a');
    EXPECT_FALSE(HelloTemplate::create(o));
}

TEST(HelloForge, ForgeAllocatesNothing) {
    for (Shape s : all_shapes()) {
        ForgeOptions o;
        o.shape = s;
        o.server_name = "example.com";
        o.ech = EchGrease::on;
        auto t = make_template(o);
        size_t total = 0;
        long allocations = 0;
        {
            sniprobe::test::AllocationCounter counter;
            for (int i = 0; i < 100; ++i) total += t.forge().bytes.size();
            allocations = counter.count();
        }
        EXPECT_EQ(allocations, 0) << shape_name(s);
        EXPECT_GT(total, 0u);
    }
}

TEST(HelloForge, SetServerNameSwapsTheNameWithoutAllocating) {
    ForgeOptions o;
    o.shape = Shape::chrome;
    o.server_name = "a.example";
    auto t = make_template(o);
    std::string longest(255, 'x');
    bool swapped = false;
    ForgedHello hello;
    long allocations = 0;
    {
        sniprobe::test::AllocationCounter counter;
        swapped = t.set_server_name(longest);
        hello = t.forge();
        allocations = counter.count();
    }
    EXPECT_TRUE(swapped);
    EXPECT_EQ(allocations, 0);
    EXPECT_EQ(wire::parse_client_hello(hello.bytes).hello->sni(), longest);
    EXPECT_TRUE(t.set_server_name("b.example"));
    EXPECT_EQ(wire::parse_client_hello(t.forge().bytes).hello->sni(), "b.example");
    EXPECT_FALSE(t.set_server_name(std::string(256, 'x')));
    EXPECT_FALSE(t.set_server_name(""));
    o.server_name = "";
    auto unnamed = make_template(o);
    EXPECT_FALSE(unnamed.set_server_name("c.example"));
}

TEST(HelloForge, ShapeNamesRoundTrip) {
    for (Shape s : all_shapes()) EXPECT_EQ(shape_from_name(shape_name(s)), s);
    EXPECT_FALSE(shape_from_name("safari"));
}

// What OpenSSL 3.0 writes with sniprobe's settings (src/probe/tls_session.cpp).
std::vector<uint8_t> openssl_hello(const std::string& name) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    const unsigned char alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL* ssl = SSL_new(ctx);
    BIO* rbio = BIO_new(BIO_s_mem());
    BIO* wbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rbio, -1);
    SSL_set_bio(ssl, rbio, wbio);
    SSL_set_connect_state(ssl);
    if (!name.empty()) SSL_set_tlsext_host_name(ssl, name.c_str());
    SSL_do_handshake(ssl);
    std::vector<uint8_t> out(BIO_ctrl_pending(wbio));
    BIO_read(wbio, out.data(), static_cast<int>(out.size()));
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return out;
}

TEST(HelloForge, OpensslShapeMatchesOpenssl30OutsideRandomFields) {
    for (const char* name : {"", "example.com"}) {
        SCOPED_TRACE(name);
        auto real = openssl_hello(name);
        ForgeOptions o;
        o.shape = Shape::openssl;
        o.server_name = name;
        auto t = make_template(o);
        auto forged_span = t.forge().bytes;
        std::vector<uint8_t> forged(forged_span.begin(), forged_span.end());
        ASSERT_EQ(forged.size(), real.size());
        // Blank the random (11..43), the session id (44..76) and the X25519 share (last 32).
        for (auto* v : {&real, &forged}) {
            std::fill(v->begin() + 11, v->begin() + 76, 0);
            std::fill(v->end() - 32, v->end(), 0);
        }
        EXPECT_EQ(forged, real);
    }
}

}  // namespace
}  // namespace sniprobe::forge
