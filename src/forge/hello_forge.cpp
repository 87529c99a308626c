// Forging ClientHellos: shape tables (see hello_forge.hpp for their sources), the one-time
// template build, and the per-probe assembly. forge() writes front to back into a fixed
// buffer, fills the length fields once their contents are written, and inserts BoringSSL
// padding last (moving the bytes after it), so nothing is sized twice and nothing is
// allocated. Pinned extensions keep their index when the order is permuted; the server
// name is pinned when its placement is forced.
#include "forge/hello_forge.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <sys/random.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace sniprobe::forge {
namespace {

constexpr uint16_t k_grease = 0x0a0a;  // placeholder in the tables below
constexpr std::array<Shape, 4> k_shapes{Shape::openssl, Shape::chrome, Shape::firefox,
                                        Shape::minimal};
constexpr std::array<std::string_view, 4> k_shape_names{"openssl", "chrome", "firefox", "minimal"};
constexpr size_t k_record_header = 5;
constexpr size_t k_handshake_header = 4;
constexpr uint16_t k_mlkem_q = 3329;

using Ext = HelloTemplate::Extension;
using Part = HelloTemplate::Part;

std::vector<uint8_t> u16s(std::initializer_list<uint16_t> values, size_t prefix_bytes) {
    std::vector<uint8_t> out;
    size_t len = values.size() * 2;
    if (prefix_bytes == 2) out.push_back(static_cast<uint8_t>(len >> 8));
    if (prefix_bytes >= 1) out.push_back(static_cast<uint8_t>(len & 0xff));
    for (uint16_t v : values) {
        out.push_back(static_cast<uint8_t>(v >> 8));
        out.push_back(static_cast<uint8_t>(v & 0xff));
    }
    return out;
}

Ext fixed(uint16_t type, std::vector<uint8_t> body = {}) {
    return Ext{Part::fixed_body, type, false, std::move(body)};
}
Ext listed(Part part, uint16_t type, std::initializer_list<uint16_t> values) {
    return Ext{part, type, false, u16s(values, 0)};
}
Ext alpn_h2_http11() {
    return fixed(0x0010,
                 {0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1'});
}

// The extension list of a shape, in its own order (server_name included when named).
std::vector<Ext> shape_extensions(Shape shape, bool named) {
    std::vector<Ext> e;
    auto sni = [&] {
        if (named) e.push_back(Ext{Part::server_name, k_ext_server_name, false, {}});
    };
    switch (shape) {
        case Shape::openssl:
            sni();
            e.push_back(fixed(0x000b, {0x03, 0x00, 0x01, 0x02}));
            e.push_back(listed(
                Part::supported_groups, 0x000a,
                {0x001d, 0x0017, 0x001e, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}));
            e.push_back(fixed(0x0023));
            e.push_back(alpn_h2_http11());
            e.push_back(fixed(0x0016));
            e.push_back(fixed(0x0017));
            e.push_back(fixed(0x000d, u16s({0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a,
                                            0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
                                            0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602},
                                           2)));
            e.push_back(listed(Part::supported_versions, 0x002b, {0x0304, 0x0303, 0x0302, 0x0301}));
            e.push_back(fixed(0x002d, {0x01, 0x01}));
            e.push_back(listed(Part::key_share, k_ext_key_share, {k_group_x25519}));
            break;
        case Shape::chrome:
            e.push_back(Ext{Part::grease_empty, 0, true, {}});
            sni();
            e.push_back(fixed(0x0017));
            e.push_back(fixed(0xff01, {0x00}));
            e.push_back(
                listed(Part::supported_groups, 0x000a,
                       {k_grease, k_group_x25519_mlkem768, k_group_x25519, 0x0017, 0x0018}));
            e.push_back(fixed(0x000b, {0x01, 0x00}));
            e.push_back(fixed(0x0023));
            e.push_back(alpn_h2_http11());
            e.push_back(fixed(0x0005, {0x01, 0x00, 0x00, 0x00, 0x00}));
            e.push_back(fixed(
                0x000d, u16s({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}, 2)));
            e.push_back(fixed(0x0012));
            e.push_back(listed(Part::key_share, k_ext_key_share,
                               {k_grease, k_group_x25519_mlkem768, k_group_x25519}));
            e.push_back(fixed(0x002d, {0x01, 0x01}));
            e.push_back(listed(Part::supported_versions, 0x002b, {k_grease, 0x0304, 0x0303}));
            e.push_back(fixed(0x001b, {0x04, 0x00, 0x02, 0x00, 0x03}));
            e.push_back(fixed(0x4469, {0x00, 0x03, 0x02, 'h', '2'}));
            e.push_back(Ext{Part::ech_grease, k_ext_ech, false, {}});
            e.push_back(Ext{Part::grease_one, 0, true, {}});
            break;
        case Shape::firefox:
            sni();
            e.push_back(fixed(0x0017));
            e.push_back(fixed(0xff01, {0x00}));
            e.push_back(listed(Part::supported_groups, 0x000a,
                               {0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101}));
            e.push_back(fixed(0x000b, {0x01, 0x00}));
            e.push_back(fixed(0x0023));
            e.push_back(alpn_h2_http11());
            e.push_back(fixed(0x0005, {0x01, 0x00, 0x00, 0x00, 0x00}));
            e.push_back(fixed(0x0022, u16s({0x0403, 0x0503, 0x0603, 0x0203}, 2)));
            e.push_back(
                listed(Part::key_share, k_ext_key_share, {k_group_x25519, k_group_secp256r1}));
            e.push_back(listed(Part::supported_versions, 0x002b, {0x0304, 0x0303}));
            e.push_back(fixed(0x000d, u16s({0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401,
                                            0x0501, 0x0601, 0x0203, 0x0201},
                                           2)));
            e.push_back(fixed(0x002d, {0x01, 0x01}));
            e.push_back(fixed(0x001c, {0x40, 0x01}));
            e.push_back(fixed(0x001b, {0x04, 0x00, 0x02, 0x00, 0x01}));
            e.push_back(Ext{Part::padding, k_ext_padding, false, {}});
            e.push_back(Ext{Part::ech_grease, k_ext_ech, false, {}});
            break;
        case Shape::minimal:
            sni();
            e.push_back(listed(Part::supported_versions, 0x002b, {0x0304}));
            e.push_back(listed(Part::supported_groups, 0x000a, {k_group_x25519}));
            e.push_back(fixed(0x000d, u16s({0x0403, 0x0804, 0x0401}, 2)));
            e.push_back(listed(Part::key_share, k_ext_key_share, {k_group_x25519}));
            break;
    }
    return e;
}

std::vector<uint16_t> shape_suites(Shape shape) {
    switch (shape) {
        case Shape::openssl:
            return {0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8,
                    0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023,
                    0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033,
                    0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff};
        case Shape::chrome:
            return {k_grease, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
                    0xcca9,   0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
        case Shape::firefox:
            return {0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030,
                    0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
        case Shape::minimal:
            return {0x1301};
    }
    return {};
}

// A fresh P-256 public key, uncompressed (0x04 || X || Y): a point a server accepts.
Result<std::vector<uint8_t>> p256_point() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (!key) return fail("cannot generate a P-256 key share (OpenSSL)");
    std::vector<uint8_t> out(65);
    size_t len = 0;
    int ok = EVP_PKEY_get_octet_string_param(key, "encoded-pub-key", out.data(), out.size(), &len);
    EVP_PKEY_free(key);
    if (ok != 1 || len != 65) return fail("cannot encode the P-256 key share (OpenSSL)");
    return out;
}

void put16(uint8_t* p, size_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v & 0xff);
}

}  // namespace

FastRng FastRng::from_os() {
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed))
        seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    return FastRng(seed);
}

std::string_view shape_name(Shape shape) {
    return k_shape_names[static_cast<size_t>(shape)];
}

std::optional<Shape> shape_from_name(std::string_view name) {
    for (size_t i = 0; i < k_shapes.size(); ++i)
        if (k_shape_names[i] == name) return k_shapes[i];
    return std::nullopt;
}

std::span<const Shape> all_shapes() {
    return k_shapes;
}

Result<HelloTemplate> HelloTemplate::create(const ForgeOptions& options) {
    if (options.server_name.size() > 255)
        return fail("server name longer than 255 bytes: '" + options.server_name + "'");
    HelloTemplate t;
    t.m_options = options;
    t.m_rng = options.seed ? FastRng(*options.seed) : FastRng::from_os();
    t.m_suites = shape_suites(options.shape);
    t.m_session_id = options.shape != Shape::minimal;
    t.m_extensions = shape_extensions(options.shape, !options.server_name.empty());
    t.m_permute =
        options.order == ExtensionOrder::permuted ||
        (options.order == ExtensionOrder::shape_default && options.shape == Shape::chrome);

    bool has_ech = std::any_of(t.m_extensions.begin(), t.m_extensions.end(),
                               [](const Ext& e) { return e.part == Part::ech_grease; });
    if (options.ech == EchGrease::off)
        std::erase_if(t.m_extensions, [](const Ext& e) { return e.part == Part::ech_grease; });
    const bool force_ech = options.ech == EchGrease::on || options.ech == EchGrease::early;
    if (force_ech && !has_ech) {
        // Before a trailing GREASE/padding, like the browsers that send it.
        auto at = std::find_if(t.m_extensions.begin(), t.m_extensions.end(), [](const Ext& e) {
            return e.part == Part::grease_one || e.part == Part::padding;
        });
        t.m_extensions.insert(at, Ext{Part::ech_grease, k_ext_ech, false, {}});
    }
    if (!options.quic_transport_parameters.empty()) {
        // QUIC: h3 in ALPN and ALPS, the transport parameters, no session id.
        t.m_session_id = false;
        const std::vector<uint8_t> h3{0x00, 0x03, 0x02, 'h', '3'};
        bool has_alpn = false;
        for (Ext& e : t.m_extensions) {
            if (e.type == k_ext_alpn || e.type == 0x4469) e.body = h3;
            has_alpn = has_alpn || e.type == k_ext_alpn;
        }
        // A QUIC server aborts a hello without ALPN (no_application_protocol).
        if (!has_alpn) t.m_extensions.push_back(fixed(k_ext_alpn, h3));
        auto at = std::find_if(t.m_extensions.begin(), t.m_extensions.end(), [](const Ext& e) {
            return e.part == Part::grease_one || e.part == Part::padding ||
                   e.part == Part::ech_grease;
        });
        t.m_extensions.insert(
            at, fixed(k_ext_quic_transport_parameters, options.quic_transport_parameters));
    }
    t.m_ech_payload_lengths = options.shape == Shape::firefox
                                  ? std::vector<uint16_t>{239}
                                  : std::vector<uint16_t>{144, 176, 208, 240};

    // Forced server_name placement: move it and pin it there.
    auto sni = std::find_if(t.m_extensions.begin(), t.m_extensions.end(),
                            [](const Ext& e) { return e.part == Part::server_name; });
    if (sni != t.m_extensions.end()) {
        const std::string& name = options.server_name;
        sni->body = {static_cast<uint8_t>((name.size() + 3) >> 8),
                     static_cast<uint8_t>((name.size() + 3) & 0xff), 0x00,
                     static_cast<uint8_t>(name.size() >> 8), static_cast<uint8_t>(name.size())};
        sni->body.insert(sni->body.end(), name.begin(), name.end());
        sni->body.reserve(5 + 255);
        t.m_options.server_name.reserve(255);
        if (options.sni_placement != SniPlacement::shape_default) {
            Ext moved = std::move(*sni);
            moved.pinned = true;
            t.m_extensions.erase(sni);
            if (options.sni_placement == SniPlacement::first) {
                auto at = std::find_if(t.m_extensions.begin(), t.m_extensions.end(),
                                       [](const Ext& e) { return e.part != Part::grease_empty; });
                t.m_extensions.insert(at, std::move(moved));
            } else {
                auto at =
                    std::find_if(t.m_extensions.begin(), t.m_extensions.end(), [](const Ext& e) {
                        return e.part == Part::grease_one || e.part == Part::padding;
                    });
                t.m_extensions.insert(at, std::move(moved));
            }
        }
    }
    if (options.ech == EchGrease::early) {
        auto ech = std::find_if(t.m_extensions.begin(), t.m_extensions.end(),
                                [](const Ext& e) { return e.part == Part::ech_grease; });
        Ext moved = std::move(*ech);
        moved.pinned = true;
        t.m_extensions.erase(ech);
        auto name = std::find_if(t.m_extensions.begin(), t.m_extensions.end(),
                                 [](const Ext& e) { return e.part == Part::server_name; });
        auto at = name != t.m_extensions.end()
                      ? name + 1
                      : std::find_if(t.m_extensions.begin(), t.m_extensions.end(),
                                     [](const Ext& e) { return e.part != Part::grease_empty; });
        t.m_extensions.insert(at, std::move(moved));
    }
    for (const Ext& e : t.m_extensions) {
        if (e.part != Part::key_share) continue;
        for (size_t i = 0; i + 1 < e.body.size(); i += 2)
            t.m_share_groups.push_back(static_cast<uint16_t>((e.body[i] << 8) | e.body[i + 1]));
    }
    if (std::find(t.m_share_groups.begin(), t.m_share_groups.end(), k_group_secp256r1) !=
        t.m_share_groups.end()) {
        auto point = p256_point();
        if (!point) return tl::unexpected(point.error());
        t.m_p256_point = std::move(*point);
    }
    if (t.m_extensions.size() > t.m_order.size()) return fail("too many extensions in a shape");
    return t;
}

bool HelloTemplate::set_server_name(std::string_view name) {
    if (name.empty() || name.size() > 255 || m_options.server_name.empty()) return false;
    for (Extension& e : m_extensions) {
        if (e.part != Part::server_name) continue;
        e.body.resize(5 + name.size());
        put16(e.body.data(), name.size() + 3);
        e.body[2] = 0x00;
        put16(e.body.data() + 3, name.size());
        std::memcpy(e.body.data() + 5, name.data(), name.size());
    }
    m_options.server_name.assign(name.data(), name.size());
    return true;
}

void HelloTemplate::write_extension(const Extension& ext, size_t& at) {
    uint8_t* b = m_buf.data();
    uint16_t type = ext.type;
    if (ext.part == Part::grease_empty) type = m_grease_ext1;
    if (ext.part == Part::grease_one) type = m_grease_ext2;
    put16(b + at, type);
    size_t len_at = at + 2;
    at += 4;
    auto grease_or = [&](size_t i, uint16_t grease) {
        uint16_t v = static_cast<uint16_t>((ext.body[i] << 8) | ext.body[i + 1]);
        return v == k_grease ? grease : v;
    };
    switch (ext.part) {
        case Part::fixed_body:
            if (!ext.body.empty()) std::memcpy(b + at, ext.body.data(), ext.body.size());
            at += ext.body.size();
            break;
        case Part::server_name:
            std::memcpy(b + at, ext.body.data(), ext.body.size());
            m_sni_offset = at + 5;
            at += ext.body.size();
            break;
        case Part::grease_empty:
            break;
        case Part::grease_one:
            b[at++] = 0;
            break;
        case Part::supported_groups:
            put16(b + at, ext.body.size());
            at += 2;
            for (size_t i = 0; i + 1 < ext.body.size(); i += 2, at += 2)
                put16(b + at, grease_or(i, m_grease_group));
            break;
        case Part::supported_versions:
            b[at++] = static_cast<uint8_t>(ext.body.size());
            for (size_t i = 0; i + 1 < ext.body.size(); i += 2, at += 2)
                put16(b + at, grease_or(i, m_grease_version));
            break;
        case Part::key_share: {
            size_t list_at = at;
            at += 2;
            for (uint16_t group : m_share_groups) {
                put16(b + at, group == k_grease ? m_grease_group : group);
                size_t share_len = 0;
                uint8_t* share = b + at + 4;
                if (group == k_grease) {
                    share[0] = 0;
                    share_len = 1;
                } else if (group == k_group_x25519_mlkem768) {
                    // ByteEncode12 of 768 coefficients below q, then rho, then X25519.
                    size_t out = 0;
                    uint16_t pending = 0;
                    bool have_pending = false;
                    while (out < 1152) {
                        uint64_t r = m_rng.next();
                        for (int k = 0; k < 5 && out < 1152; ++k, r >>= 12) {
                            uint16_t c = static_cast<uint16_t>(r & 0x0fff);
                            if (c >= k_mlkem_q) continue;
                            if (!have_pending) {
                                pending = c;
                                have_pending = true;
                                continue;
                            }
                            share[out] = static_cast<uint8_t>(pending & 0xff);
                            share[out + 1] =
                                static_cast<uint8_t>((pending >> 8) | ((c & 0x0f) << 4));
                            share[out + 2] = static_cast<uint8_t>(c >> 4);
                            out += 3;
                            have_pending = false;
                        }
                    }
                    m_rng.fill({share + 1152, 32 + 32});
                    share_len = k_mlkem768_encapsulation_key_bytes + 32;
                } else if (group == k_group_secp256r1) {
                    std::memcpy(share, m_p256_point.data(), m_p256_point.size());
                    share_len = m_p256_point.size();
                } else {
                    m_rng.fill({share, 32});
                    share_len = 32;
                }
                put16(b + at + 2, share_len);
                at += 4 + share_len;
            }
            put16(b + list_at, at - list_at - 2);
            break;
        }
        case Part::ech_grease: {
            b[at++] = 0x00;         // outer
            put16(b + at, 0x0001);  // HKDF-SHA256
            uint16_t aead =
                m_options.shape == Shape::firefox && (m_rng.next() & 1) ? 0x0003 : 0x0001;
            put16(b + at + 2, aead);
            at += 4;
            b[at++] = static_cast<uint8_t>(m_rng.next());  // config_id
            put16(b + at, 32);
            m_rng.fill({b + at + 2, 32});
            at += 34;
            uint16_t payload = m_ech_payload_lengths[m_rng.below(
                static_cast<uint32_t>(m_ech_payload_lengths.size()))];
            put16(b + at, payload);
            m_rng.fill({b + at + 2, payload});
            at += 2 + payload;
            break;
        }
        case Part::padding:
            break;  // sized and filled by forge() once the rest is written
    }
    put16(b + len_at, at - len_at - 2);
}

ForgedHello HelloTemplate::forge() {
    uint8_t* b = m_buf.data();
    m_sni_offset.reset();
    // GREASE picks: the two GREASE extensions differ (BoringSSL does the same).
    auto grease = [&] { return static_cast<uint16_t>(0x0a0a + 0x1010 * m_rng.below(16)); };
    m_grease_suite = grease();
    m_grease_group = grease();
    m_grease_version = grease();
    m_grease_ext1 = grease();
    do m_grease_ext2 = grease();
    while (m_grease_ext2 == m_grease_ext1);

    b[0] = 0x16;
    b[1] = 0x03;
    b[2] = 0x01;
    b[5] = 0x01;  // client_hello
    size_t at = k_record_header + k_handshake_header;
    b[at++] = 0x03;
    b[at++] = 0x03;
    m_rng.fill({b + at, 32});
    at += 32;
    if (m_session_id) {
        b[at++] = 32;
        m_rng.fill({b + at, 32});
        at += 32;
    } else {
        b[at++] = 0;
    }
    put16(b + at, m_suites.size() * 2);
    at += 2;
    for (uint16_t s : m_suites) {
        put16(b + at, s == k_grease ? m_grease_suite : s);
        at += 2;
    }
    b[at++] = 0x01;
    b[at++] = 0x00;
    size_t ext_len_at = at;
    at += 2;

    size_t n = m_extensions.size();
    for (size_t i = 0; i < n; ++i) m_order[i] = static_cast<uint16_t>(i);
    if (m_permute) {
        // Fisher-Yates over the unpinned positions only.
        std::array<uint16_t, 32> free_slots{};
        size_t free_count = 0;
        for (size_t i = 0; i < n; ++i)
            if (!m_extensions[i].pinned) free_slots[free_count++] = static_cast<uint16_t>(i);
        for (size_t i = free_count; i > 1; --i) {
            size_t j = m_rng.below(static_cast<uint32_t>(i));
            std::swap(m_order[free_slots[i - 1]], m_order[free_slots[j]]);
        }
    }
    std::optional<size_t> padding_at;
    for (size_t i = 0; i < n; ++i) {
        const Extension& ext = m_extensions[m_order[i]];
        if (ext.part == Part::padding) {
            padding_at = at;
            continue;
        }
        write_extension(ext, at);
    }
    if (padding_at) {
        // BoringSSL: a hello whose message is 256..511 bytes is padded to 512.
        size_t unpadded = at - k_record_header;
        if (unpadded > 0xff && unpadded < 0x200) {
            size_t pad = 0x200 - unpadded;
            pad = pad >= 5 ? pad - 4 : 1;
            std::memmove(b + *padding_at + 4 + pad, b + *padding_at, at - *padding_at);
            if (m_sni_offset && *m_sni_offset > *padding_at) *m_sni_offset += 4 + pad;
            put16(b + *padding_at, k_ext_padding);
            put16(b + *padding_at + 2, pad);
            std::memset(b + *padding_at + 4, 0, pad);
            at += 4 + pad;
        }
    }
    put16(b + ext_len_at, at - ext_len_at - 2);
    size_t message = at - k_record_header - k_handshake_header;
    b[6] = static_cast<uint8_t>(message >> 16);
    put16(b + 7, message);
    put16(b + 3, at - k_record_header);

    ForgedHello out;
    out.bytes = {b, at};
    out.sni_offset = m_sni_offset;
    out.sni_length = m_sni_offset ? m_options.server_name.size() : 0;
    return out;
}

}  // namespace sniprobe::forge
