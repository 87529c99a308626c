// ClientHellos that sniprobe writes itself, byte by byte, in the shapes real clients send.
// A template is built once per (shape, name, options): every static extension body, the
// cipher list and a P-256 point are precomputed then. Each probe calls forge(), which
// assembles the hello into the template's own fixed buffer: fresh random, session id,
// X25519 and ML-KEM key-share bytes, GREASE values, extension order and GREASE-ECH payload,
// with no allocation. The bytes are valid until the next forge() on the same template.
//
// Shapes and their sources (all values are public; nothing here is captured from users):
//  - openssl: what OpenSSL 3.0.19 (Debian 12) sends with sniprobe's TLS settings
//    (src/probe/tls_session.cpp: TLS_client_method defaults, ALPN h2,http/1.1, tickets on).
//    Captured from SSL_do_handshake over a memory BIO: 335 bytes with "example.com",
//    extensions 0000 000b 000a 0023 0010 0016 0017 000d 002b 002d 0033, one X25519 share.
//  - chrome: Chrome 131 (November 2024) as uTLS parrots it: refraction-networking/utls,
//    u_parrots.go, HelloChrome_131 (also smallerqiu/ja3-client, browser/chrome.go,
//    Chrome_131). 16 suites after a GREASE suite, extensions GREASE, server_name,
//    extended_master_secret, renegotiation_info, supported_groups (GREASE, X25519MLKEM768,
//    X25519, P-256, P-384), ec_point_formats, session_ticket, ALPN, status_request,
//    signature_algorithms (8), SCT, key_share (GREASE 1 byte, X25519MLKEM768 1216 bytes,
//    X25519), psk_key_exchange_modes, supported_versions (GREASE, 1.3, 1.2),
//    compress_certificate (brotli, zstd), ALPS 0x4469 (h2), GREASE ECH, GREASE (1 byte).
//    Everything between the two GREASE extensions is permuted per connection, as Chrome
//    does since 110 (ShuffleChromeTLSExtensions). About 1.8 KB: two TCP segments.
//  - firefox: Firefox 120 (November 2023): u_parrots.go HelloFirefox_120. No GREASE, fixed
//    order, X25519 and P-256 shares, delegated_credentials, record_size_limit 0x4001,
//    compress_certificate (brotli, zlib), BoringSSL-style padding, GREASE ECH with HPKE
//    suites (HKDF-SHA256, AES-128-GCM / ChaCha20-Poly1305) and a 239-byte payload.
//  - minimal: the smallest hello a TLS 1.3 server must accept (RFC 8446 §9.2 mandatory
//    extensions): one suite (TLS_AES_128_GCM_SHA256), supported_versions (1.3),
//    supported_groups and key_share (X25519), signature_algorithms (ECDSA-P256, RSA-PSS,
//    RSA-PKCS1 SHA-256), server_name when a name is given; empty session id.
//
// The ML-KEM-768 encapsulation key (FIPS 203 §7.2) is 3 × 256 coefficients, each drawn
// uniformly below q = 3329 and packed two per three bytes (ByteEncode12), then 32 bytes of
// rho: a server that selects X25519MLKEM768 passes the modulus check and answers with a
// ServerHello. Random field bytes come from a fast non-cryptographic generator seeded from
// the OS: a probe never completes a key exchange with them, it stops at the ServerHello.
// GREASE values follow RFC 8701 (0x?A?A); the GREASE ECH extension (0xfe0d, RFC 9849 §6.2)
// is an outer ECHClientHello with a random config id, a 32-byte enc and a random payload
// whose length varies per probe like BoringSSL's (144, 176, 208 or 240 bytes).
//
// A hello for QUIC (RFC 9001 §8) is the same shape with three changes: ALPN (and Chrome's
// ALPS) name h3, a quic_transport_parameters extension (0x39) is added before the trailing
// GREASE/padding/ECH, and the legacy session id is empty (a non-empty one is a
// PROTOCOL_VIOLATION in QUIC). The caller carries only the handshake message, without the
// 5-byte record header, in CRYPTO frames.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "forge/fast_rng.hpp"
#include "util/result.hpp"

namespace sniprobe::forge {

// A named client to look like.
enum class Shape { openssl, chrome, firefox, minimal };

// "openssl", "chrome", "firefox", "minimal".
std::string_view shape_name(Shape shape);
std::optional<Shape> shape_from_name(std::string_view name);
// Every shape, in a stable order.
std::span<const Shape> all_shapes();

// Extension order: the shape's own (Chrome permutes, the others are fixed), or forced.
enum class ExtensionOrder { shape_default, fixed, permuted };
// Where the server_name extension goes: where the shape puts it, first, or last (after the
// key shares, before a trailing GREASE or padding: past the first MSS in a Chrome hello).
enum class SniPlacement { shape_default, first, last };
// The GREASE ECH extension: as the shape sends it (Chrome and Firefox do), or forced.
// `early` forces it right after server_name (first when there is no name), pinned there
// when the order is permuted: a hello spanning two QUIC Initials or TCP segments then
// carries it in the first one, beside the name, where a box that reads one packet sees it.
enum class EchGrease { shape_default, on, off, early };

struct ForgeOptions {
    Shape shape = Shape::openssl;
    std::string server_name;  // "" = no server_name extension
    ExtensionOrder order = ExtensionOrder::shape_default;
    SniPlacement sni_placement = SniPlacement::shape_default;
    EchGrease ech = EchGrease::shape_default;
    std::optional<uint64_t> seed;  // fixed generator seed (tests); OS entropy otherwise
    // Non-empty: a hello for QUIC carrying these transport parameters (RFC 9000 §18).
    std::vector<uint8_t> quic_transport_parameters;
};

// One forged hello: the bytes to write (one TLS record) and where the name sits.
struct ForgedHello {
    std::span<const uint8_t> bytes;    // valid until the template's next forge()
    std::optional<size_t> sni_offset;  // stream offset of the first host_name byte
    size_t sni_length = 0;

    // True when the whole name lies in the first `mss` bytes of the stream.
    bool sni_in_first_segment(size_t mss) const {
        return sni_offset && *sni_offset + sni_length <= mss;
    }
};

// The largest hello a template writes (a Chrome hello with a 255-byte name is about 2 KB).
inline constexpr size_t k_max_hello_bytes = 4096;
// TLS codepoints used by the shapes and by tests.
inline constexpr uint16_t k_group_x25519 = 0x001d;
inline constexpr uint16_t k_group_secp256r1 = 0x0017;
inline constexpr uint16_t k_group_x25519_mlkem768 = 0x11ec;
inline constexpr uint16_t k_ext_server_name = 0x0000;
inline constexpr uint16_t k_ext_key_share = 0x0033;
inline constexpr uint16_t k_ext_ech = 0xfe0d;
inline constexpr uint16_t k_ext_padding = 0x0015;
inline constexpr uint16_t k_ext_alpn = 0x0010;
inline constexpr uint16_t k_ext_quic_transport_parameters = 0x0039;
inline constexpr size_t k_mlkem768_encapsulation_key_bytes = 1184;

// True for the 16 GREASE codepoints of RFC 8701 (0x0a0a, 0x1a1a, ... 0xfafa).
constexpr bool is_grease(uint16_t v) {
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

// A precomputed hello of one shape; forge() patches it per probe.
class HelloTemplate {
  public:
    // Fails for a name longer than 255 bytes or an OpenSSL failure making the P-256 point.
    static Result<HelloTemplate> create(const ForgeOptions& options);

    // Assembles a fresh hello into the template's buffer (no allocation).
    ForgedHello forge();

    // Swaps the server name of a template built with one (no allocation: the name's
    // storage is reserved for 255 bytes). False, and no change, for an empty name, a name
    // over 255 bytes, or a template built without a name.
    bool set_server_name(std::string_view name);

    const ForgeOptions& options() const { return m_options; }

    // One extension of the template (internal layout, exposed for the .cpp's helpers).
    enum class Part : uint8_t {
        fixed_body,    // body bytes precomputed, copied as is
        server_name,   // precomputed, tracks the name's offset
        grease_empty,  // GREASE type, empty body
        grease_one,    // GREASE type, one zero byte
        key_share,     // shares written per probe
        supported_groups,
        supported_versions,
        ech_grease,
        padding,  // BoringSSL style: fills a 256..511-byte hello up to 512
    };
    struct Extension {
        Part part = Part::fixed_body;
        uint16_t type = 0;
        bool pinned = false;        // keeps its position when the order is permuted
        std::vector<uint8_t> body;  // fixed_body, server_name; lists for the others
    };

  private:
    HelloTemplate() = default;
    void write_extension(const Extension& ext, size_t& at);

    ForgeOptions m_options;
    FastRng m_rng;
    std::vector<uint16_t> m_suites;  // 0x0a0a stands for "a GREASE value"
    bool m_session_id = true;
    std::vector<Extension> m_extensions;  // shape order
    bool m_permute = false;
    std::vector<uint8_t> m_p256_point;     // 65-byte uncompressed point (firefox share)
    std::vector<uint16_t> m_share_groups;  // key_share groups, in order
    std::vector<uint16_t> m_ech_payload_lengths;
    std::array<uint8_t, k_max_hello_bytes> m_buf{};
    std::array<uint16_t, 32> m_order{};  // scratch permutation of extension indexes
    // Per-probe GREASE picks (RFC 8701): suite, group, version, first and last extension.
    uint16_t m_grease_suite = 0, m_grease_group = 0, m_grease_version = 0, m_grease_ext1 = 0,
             m_grease_ext2 = 0;
    std::optional<size_t> m_sni_offset;
};

}  // namespace sniprobe::forge
