// HKDF-Extract and HKDF-Expand-Label on EVP_KDF "HKDF" (OpenSSL 3.0), and the Initial
// key schedule of RFC 9001 §5.2 / RFC 9369 §3.3.
#include "quic/initial_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <string>

namespace sniprobe::quic {
namespace {

constexpr std::array<uint8_t, 20> k_salt_v1{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34,
                                            0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
                                            0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr std::array<uint8_t, 20> k_salt_v2{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6,
                                            0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
                                            0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};

struct KdfCtxFree {
    void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

// One HKDF call in `mode` (extract-only or expand-only) with SHA-256.
Result<std::vector<uint8_t>> hkdf(int mode, std::span<const uint8_t> key,
                                  std::span<const uint8_t> salt_or_info, size_t length) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (!kdf) return fail("OpenSSL has no HKDF");
    std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf));
    EVP_KDF_free(kdf);
    if (!ctx) return fail("cannot create an HKDF context (OpenSSL)");
    char digest[] = "SHA256";
    // OpenSSL's parameter API takes non-const pointers; it does not write through them.
    auto* key_ptr = const_cast<uint8_t*>(key.data());
    auto* extra_ptr = const_cast<uint8_t*>(salt_or_info.data());
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key_ptr, key.size()),
        OSSL_PARAM_construct_octet_string(
            mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY ? OSSL_KDF_PARAM_SALT : OSSL_KDF_PARAM_INFO,
            extra_ptr, salt_or_info.size()),
        OSSL_PARAM_construct_end(),
    };
    std::vector<uint8_t> out(length);
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
        return fail("HKDF failed (OpenSSL)");
    return out;
}

template <size_t N>
Result<std::array<uint8_t, N>> expand_to(std::span<const uint8_t> secret, std::string_view label) {
    auto bytes = hkdf_expand_label(secret, label, N);
    if (!bytes) return tl::unexpected(bytes.error());
    std::array<uint8_t, N> out{};
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
}

Result<PacketKeys> packet_keys(std::span<const uint8_t> secret, uint32_t version) {
    const bool v2 = version == k_version_2;
    auto key = expand_to<16>(secret, v2 ? "quicv2 key" : "quic key");
    auto iv = expand_to<12>(secret, v2 ? "quicv2 iv" : "quic iv");
    auto hp = expand_to<16>(secret, v2 ? "quicv2 hp" : "quic hp");
    if (!key) return tl::unexpected(key.error());
    if (!iv) return tl::unexpected(iv.error());
    if (!hp) return tl::unexpected(hp.error());
    return PacketKeys{*key, *iv, *hp};
}

}  // namespace

bool has_initial_keys(uint32_t version) {
    return version == k_version_1 || version == k_version_2;
}

Result<std::vector<uint8_t>> hkdf_expand_label(std::span<const uint8_t> secret,
                                               std::string_view label, size_t length) {
    // struct { uint16 length; opaque label<7..255> = "tls13 " + label; opaque context<0..255>; }
    std::string full = "tls13 ";
    full.append(label);
    std::vector<uint8_t> info{static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length),
                              static_cast<uint8_t>(full.size())};
    info.insert(info.end(), full.begin(), full.end());
    info.push_back(0);
    return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, info, length);
}

Result<InitialKeys> derive_initial_keys(std::span<const uint8_t> dcid, uint32_t version) {
    if (!has_initial_keys(version)) return fail("no Initial keys for this QUIC version");
    std::span<const uint8_t> salt = version == k_version_2 ? k_salt_v2 : k_salt_v1;
    auto initial = hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, dcid, salt, 32);
    if (!initial) return tl::unexpected(initial.error());
    InitialKeys keys;
    keys.version = version;
    std::copy(initial->begin(), initial->end(), keys.initial_secret.begin());
    auto client = expand_to<32>(keys.initial_secret, "client in");
    auto server = expand_to<32>(keys.initial_secret, "server in");
    if (!client) return tl::unexpected(client.error());
    if (!server) return tl::unexpected(server.error());
    keys.client_secret = *client;
    keys.server_secret = *server;
    auto ck = packet_keys(keys.client_secret, version);
    auto sk = packet_keys(keys.server_secret, version);
    if (!ck) return tl::unexpected(ck.error());
    if (!sk) return tl::unexpected(sk.error());
    keys.client = *ck;
    keys.server = *sk;
    return keys;
}

}  // namespace sniprobe::quic
