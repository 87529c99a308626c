// The Initial key schedule and packet protection against RFC 9001 Appendix A (and the v2
// keys of RFC 9369 Appendix A): secrets, keys, IVs and header-protection keys for the
// sample DCID; the client's 1200-byte Initial sealed byte for byte and opened back; the
// server's Initial sealed and opened; a varint round trip.
#include <gtest/gtest.h>

#include "quic/initial_keys.hpp"
#include "quic/protection.hpp"
#include "quic/varint.hpp"
#include "quic_test_util.hpp"

namespace sniprobe::quic {
namespace {

using test::hex;

template <size_t N>
std::vector<uint8_t> bytes(const std::array<uint8_t, N>& a) {
    return {a.begin(), a.end()};
}

TEST(InitialKeys, MatchRfc9001AppendixA1) {
    auto keys = derive_initial_keys(test::k_rfc_dcid);
    ASSERT_TRUE(keys) << keys.error().message;
    EXPECT_EQ(bytes(keys->initial_secret),
              hex("7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44"));
    EXPECT_EQ(bytes(keys->client_secret),
              hex("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea"));
    EXPECT_EQ(bytes(keys->client.key), hex("1f369613dd76d5467730efcbe3b1a22d"));
    EXPECT_EQ(bytes(keys->client.iv), hex("fa044b2f42a3fd3b46fb255c"));
    EXPECT_EQ(bytes(keys->client.hp), hex("9f50449e04a0e810283a1e9933adedd2"));
    EXPECT_EQ(bytes(keys->server_secret),
              hex("3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b"));
    EXPECT_EQ(bytes(keys->server.key), hex("cf3a5331653c364c88f0f379b6067e37"));
    EXPECT_EQ(bytes(keys->server.iv), hex("0ac1493ca1905853b0bba03e"));
    EXPECT_EQ(bytes(keys->server.hp), hex("c206b8d9b9f0f37644430b490eeaa314"));
}

TEST(InitialKeys, MatchRfc9369AppendixAForVersion2) {
    auto keys = derive_initial_keys(test::k_rfc_dcid, k_version_2);
    ASSERT_TRUE(keys) << keys.error().message;
    EXPECT_EQ(bytes(keys->client_secret),
              hex("14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b"));
    EXPECT_EQ(bytes(keys->client.key), hex("8b1a0bc121284290a29e0971b5cd045d"));
    EXPECT_EQ(bytes(keys->client.iv), hex("91f73e2351d8fa91660e909f"));
    EXPECT_EQ(bytes(keys->client.hp), hex("45b95e15235d6f45a6b19cbcb0294ba9"));
}

TEST(InitialKeys, RefuseAnUnknownVersion) {
    EXPECT_FALSE(derive_initial_keys(test::k_rfc_dcid, 0x1a2a3a4a));
}

TEST(Protection, HeaderProtectionMaskMatchesTheRfcSample) {
    auto keys = derive_initial_keys(test::k_rfc_dcid);
    ASSERT_TRUE(keys);
    auto mask = header_protection_mask(keys->client, hex("d1b1c98dd7689fb8ec11d242b123dc9b"));
    ASSERT_TRUE(mask);
    EXPECT_EQ(bytes(*mask), hex("437b9aec36"));
}

TEST(Protection, SealsTheRfcClientInitialByteForByteAndOpensItBack) {
    auto keys = derive_initial_keys(test::k_rfc_dcid);
    ASSERT_TRUE(keys);
    std::vector<uint8_t> payload = test::k_rfc_client_crypto_frame;
    payload.resize(1162, 0x00);
    auto packet = protect_long_packet(keys->client, test::k_rfc_client_header, 4, 2, payload);
    ASSERT_TRUE(packet) << packet.error().message;
    const auto expected = test::hex_file("rfc9001_a2_client_initial.hex");
    ASSERT_EQ(expected.size(), 1200u);
    EXPECT_EQ(*packet, expected);

    auto opened = open_long_packet(keys->client, expected, 18);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->packet_number, 2u);
    EXPECT_EQ(opened->pn_length, 4u);
    EXPECT_EQ(opened->first_byte, 0xc3);
    EXPECT_EQ(opened->plaintext, payload);
}

TEST(Protection, SealsAndOpensTheRfcServerInitial) {
    auto keys = derive_initial_keys(test::k_rfc_dcid);
    ASSERT_TRUE(keys);
    auto packet = protect_long_packet(keys->server, test::k_rfc_server_header, 2, 1,
                                      test::k_rfc_server_payload);
    ASSERT_TRUE(packet);
    EXPECT_EQ(*packet, test::k_rfc_server_packet);
    auto opened = open_long_packet(keys->server, test::k_rfc_server_packet, 18);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->packet_number, 1u);
    EXPECT_EQ(opened->plaintext, test::k_rfc_server_payload);
}

TEST(Protection, RefusesATamperedPacketAndTheWrongDirectionsKeys) {
    auto keys = derive_initial_keys(test::k_rfc_dcid);
    ASSERT_TRUE(keys);
    for (size_t i : {0ul, 20ul, 60ul, test::k_rfc_server_packet.size() - 1}) {
        auto bad = test::k_rfc_server_packet;
        bad[i] ^= 0x01;
        EXPECT_FALSE(open_long_packet(keys->server, bad, 18)) << "byte " << i;
    }
    auto wrong = open_long_packet(keys->client, test::k_rfc_server_packet, 18);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error(), OpenFailure::aead_failed);
    auto short_packet = open_long_packet(
        keys->server, std::span<const uint8_t>(test::k_rfc_server_packet).first(30), 18);
    ASSERT_FALSE(short_packet);
    EXPECT_EQ(short_packet.error(), OpenFailure::too_short);
}

TEST(Varint, RoundTripsEveryLengthAndRefusesTruncation) {
    for (uint64_t v : std::initializer_list<uint64_t>{0, 63, 64, 16383, 16384, (1ull << 30) - 1,
                                                      1ull << 30, k_varint_max}) {
        uint8_t buf[8];
        size_t n = put_varint(buf, v);
        EXPECT_EQ(n, varint_size(v));
        size_t at = 0;
        auto back = read_varint(std::span<const uint8_t>(buf, n), at);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, v);
        EXPECT_EQ(at, n);
        size_t at2 = 0;
        if (n > 1) {
            EXPECT_FALSE(read_varint(std::span<const uint8_t>(buf, n - 1), at2));
        }
        EXPECT_EQ(at2, 0u);
    }
    // RFC 9000 §A.1 examples.
    size_t at = 0;
    auto v = hex("c2197c5eff14e88c");
    EXPECT_EQ(read_varint(v, at), 151288809941952652ull);
    at = 0;
    auto w = hex("7bbd");
    EXPECT_EQ(read_varint(w, at), 15293u);
}

}  // namespace
}  // namespace sniprobe::quic
