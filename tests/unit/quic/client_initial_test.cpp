// Client Initials: the RFC 9001 A.2 hello comes out as the RFC's packet, byte for byte;
// a forged QUIC hello of every shape fits in datagrams of at least 1200 bytes whose
// CRYPTO frames, opened with the client keys, put the hello back together (a Chrome hello
// takes two Initials); a forced split lands where asked; bad layouts are refused; the
// version-negotiation ping is a 1200-byte long header of a reserved version.
#include <gtest/gtest.h>

#include "forge/hello_forge.hpp"
#include "quic/client_initial.hpp"
#include "quic/first_flight.hpp"
#include "quic/protection.hpp"
#include "quic_test_util.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe::quic {
namespace {

using test::hex;

// The handshake messages carried by a list of Initials, reassembled with the client keys.
std::vector<uint8_t> reassemble(const std::vector<ClientInitial>& initials,
                                const InitialLayout& layout) {
    auto keys = derive_initial_keys(layout.dcid, layout.version);
    EXPECT_TRUE(keys);
    std::vector<uint8_t> out;
    const size_t pn_offset = 1 + 4 + 1 + layout.dcid.size() + 1 + layout.scid.size() + 1 + 2;
    for (const auto& initial : initials) {
        auto opened = open_long_packet(keys->client, initial.datagram, pn_offset);
        EXPECT_TRUE(opened);
        if (!opened) return {};
        const auto& p = opened->plaintext;
        size_t at = 0;
        EXPECT_EQ(p[at++], 0x06);
        auto offset = read_varint(p, at);
        auto length = read_varint(p, at);
        EXPECT_EQ(offset, initial.crypto_offset);
        EXPECT_EQ(length, initial.crypto_length);
        EXPECT_EQ(*offset, out.size());
        out.insert(out.end(), p.begin() + static_cast<std::ptrdiff_t>(at),
                   p.begin() + static_cast<std::ptrdiff_t>(at + *length));
        for (size_t i = at + *length; i < p.size(); ++i) EXPECT_EQ(p[i], 0x00) << "padding";
    }
    return out;
}

InitialLayout layout_for_tests() {
    InitialLayout layout;
    layout.dcid = hex("0001020304050607");
    layout.scid = hex("a1a2a3a4");
    return layout;
}

forge::HelloTemplate quic_template(forge::Shape shape, const std::string& name,
                                   std::span<const uint8_t> scid) {
    forge::ForgeOptions options;
    options.shape = shape;
    options.server_name = name;
    options.seed = 42;
    options.quic_transport_parameters = client_transport_parameters(scid);
    auto t = forge::HelloTemplate::create(options);
    EXPECT_TRUE(t);
    return std::move(*t);
}

TEST(ClientInitial, TheRfcHelloBecomesTheRfcPacket) {
    InitialLayout layout;
    layout.dcid = test::k_rfc_dcid;
    layout.pn_length = 4;
    layout.first_packet_number = 2;
    // The CRYPTO frame minus its 4-byte header (type, offset 0, 2-byte length).
    std::vector<uint8_t> hello(test::k_rfc_client_crypto_frame.begin() + 4,
                               test::k_rfc_client_crypto_frame.end());
    auto initials = build_client_initials(hello, layout);
    ASSERT_TRUE(initials) << initials.error().message;
    ASSERT_EQ(initials->size(), 1u);
    EXPECT_EQ((*initials)[0].datagram, test::hex_file("rfc9001_a2_client_initial.hex"));
}

TEST(ClientInitial, EveryShapeFitsPaddedDatagramsAndReassembles) {
    auto layout = layout_for_tests();
    for (forge::Shape shape : forge::all_shapes()) {
        SCOPED_TRACE(std::string(forge::shape_name(shape)));
        auto t = quic_template(shape, "blocked.test", layout.scid);
        auto hello = t.forge();
        auto message = hello.bytes.subspan(5);  // no record header in QUIC
        auto initials = build_client_initials(message, layout);
        ASSERT_TRUE(initials) << initials.error().message;
        for (const auto& i : *initials) EXPECT_EQ(i.datagram.size(), k_min_initial_datagram);
        EXPECT_EQ(initials->size(), shape == forge::Shape::chrome ? 2u : 1u);
        auto back = reassemble(*initials, layout);
        ASSERT_EQ(back, std::vector<uint8_t>(message.begin(), message.end()));

        // The carried hello is a QUIC hello: SNI, h3, transport parameters, no session id.
        auto parsed = wire::parse_client_hello(hello.bytes);
        ASSERT_EQ(parsed.anomaly, wire::HelloAnomaly::none);
        EXPECT_EQ(parsed.hello->sni(), "blocked.test");
        bool has_tp = false;
        for (const auto& e : parsed.hello->extensions)
            has_tp = has_tp || e.type == forge::k_ext_quic_transport_parameters;
        EXPECT_TRUE(has_tp);
        EXPECT_EQ(hello.bytes[5 + 4 + 2 + 32], 0) << "legacy_session_id must be empty";
    }
}

TEST(ClientInitial, ChromeSendsAboutTwelveHundredBytesFirstAndTheRestNext) {
    auto layout = layout_for_tests();
    auto t = quic_template(forge::Shape::chrome, "blocked.test", layout.scid);
    auto hello = t.forge();
    auto initials = build_client_initials(hello.bytes.subspan(5), layout);
    ASSERT_TRUE(initials);
    ASSERT_EQ(initials->size(), 2u);
    EXPECT_EQ((*initials)[0].crypto_offset, 0u);
    EXPECT_GT((*initials)[0].crypto_length, 1100u);
    EXPECT_EQ((*initials)[1].crypto_offset, (*initials)[0].crypto_length);
    EXPECT_EQ((*initials)[0].crypto_length + (*initials)[1].crypto_length, hello.bytes.size() - 5);
}

TEST(ClientInitial, AForcedSplitCutsTheHelloInsideTheName) {
    auto layout = layout_for_tests();
    auto t = quic_template(forge::Shape::openssl, "blocked.test", layout.scid);
    auto hello = t.forge();
    ASSERT_TRUE(hello.sni_offset);
    layout.split_at = *hello.sni_offset - 5 + 3;  // "blo" | "cked.test"
    auto initials = build_client_initials(hello.bytes.subspan(5), layout);
    ASSERT_TRUE(initials);
    ASSERT_EQ(initials->size(), 2u);
    EXPECT_EQ((*initials)[0].crypto_length, *layout.split_at);
    EXPECT_EQ(reassemble(*initials, layout),
              std::vector<uint8_t>(hello.bytes.begin() + 5, hello.bytes.end()));
}

TEST(ClientInitial, RefusesBadLayouts) {
    std::vector<uint8_t> hello(100, 0x01);
    auto layout = layout_for_tests();
    layout.dcid = hex("0102");
    EXPECT_FALSE(build_client_initials(hello, layout));
    layout = layout_for_tests();
    layout.scid.assign(21, 0);
    EXPECT_FALSE(build_client_initials(hello, layout));
    layout = layout_for_tests();
    layout.pn_length = 5;
    EXPECT_FALSE(build_client_initials(hello, layout));
    layout = layout_for_tests();
    layout.datagram_bytes = 1000;
    EXPECT_FALSE(build_client_initials(hello, layout));
    layout = layout_for_tests();
    layout.split_at = 100;
    EXPECT_FALSE(build_client_initials(hello, layout));
    EXPECT_FALSE(build_client_initials({}, layout_for_tests()));
}

TEST(VersionPing, IsATwelveHundredByteLongHeaderOfAReservedVersion) {
    forge::FastRng rng(7);
    for (int i = 0; i < 50; ++i) {
        uint32_t version = reserved_version(rng);
        EXPECT_TRUE(is_reserved_version(version));
        auto ping = version_ping(rng, version);
        ASSERT_EQ(ping.size(), 1200u);
        EXPECT_EQ(ping[0] & 0xc0, 0xc0);
        uint32_t carried = (uint32_t{ping[1]} << 24) | (uint32_t{ping[2]} << 16) |
                           (uint32_t{ping[3]} << 8) | ping[4];
        EXPECT_EQ(carried, version);
        EXPECT_EQ(ping[5], 8);
        EXPECT_EQ(ping[14], 0);
    }
    EXPECT_FALSE(is_reserved_version(k_version_1));
    EXPECT_FALSE(is_reserved_version(k_version_2));
}

TEST(TransportParameters, CarryTheSourceConnectionIdLast) {
    auto tp = client_transport_parameters(hex("a1a2a3a4"));
    ASSERT_GE(tp.size(), 6u);
    EXPECT_EQ(std::vector<uint8_t>(tp.end() - 6, tp.end()), hex("0f04a1a2a3a4"));
    // Every parameter is a well-formed (id, length, value) triple.
    size_t at = 0;
    while (at < tp.size()) {
        ASSERT_TRUE(read_varint(tp, at));
        auto len = read_varint(tp, at);
        ASSERT_TRUE(len);
        ASSERT_LE(at + *len, tp.size());
        at += *len;
    }
}

}  // namespace
}  // namespace sniprobe::quic
