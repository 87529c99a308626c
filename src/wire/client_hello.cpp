// ClientHello parser over a reassembled client->server stream. Two layers: the record
// layer collects the handshake message from one or more TLS records (a prober or a
// browser may split the hello across records, and TCP may cut anywhere), then the body
// reader walks the hello's nested length fields. Every read checks two limits: the
// enclosing declared length (exceeding it is malformed: a named anomaly) and the bytes
// that have arrived (exceeding those is `incomplete`). Checking the declared limit first
// is what makes every prefix of a valid hello `incomplete` and never a wrong answer,
// while a lie in a length field is reported as soon as the lie is visible.
#include "wire/client_hello.hpp"

#include <array>
#include <bitset>
#include <memory>

#include "wire/big_endian.hpp"
#include "wire/tls_records.hpp"

namespace sniprobe::wire {
namespace {

using detail::gather_handshake;
using detail::Gathered;
using detail::k_handshake_header_bytes;
using detail::stream_offset_of;

constexpr size_t k_max_session_id_bytes = 32;

constexpr uint16_t k_ext_server_name = 0;
constexpr uint16_t k_ext_supported_groups = 10;
constexpr uint16_t k_ext_alpn = 16;
constexpr uint16_t k_ext_supported_versions = 43;
constexpr uint16_t k_ext_key_share = 51;
constexpr uint8_t k_name_type_host_name = 0;

// Full parse, or stop as soon as the first host_name is known (middlebox fast path).
enum class Stop { at_end, at_first_sni };

// Extension types seen so far: a linear scan over a small inline array covers every
// real hello (browsers send < 30 extensions); a hostile one with hundreds falls back
// to a heap bitset, so the check never goes quadratic and the common case never
// touches the heap or zeroes 8 KiB.
class SeenTypes {
  public:
    // False when `type` was already seen.
    bool insert(uint16_t type) {
        if (m_all) {
            if (m_all->test(type)) return false;
            m_all->set(type);
            return true;
        }
        for (size_t i = 0; i < m_count; ++i) {
            if (m_few[i] == type) return false;
        }
        if (m_count < m_few.size()) {
            m_few[m_count++] = type;
            return true;
        }
        m_all = std::make_unique<std::bitset<65536>>();
        for (uint16_t t : m_few) m_all->set(t);
        m_all->set(type);
        return true;
    }

  private:
    std::array<uint16_t, 48> m_few{};
    size_t m_count = 0;
    std::unique_ptr<std::bitset<65536>> m_all;
};

// Reads the hello's body, checking each length against its enclosing limit before the
// bytes that have arrived.
class HelloReader {
  public:
    HelloReader(std::span<const uint8_t> message, size_t declared_end, Stop stop)
        : m_message(message), m_end(declared_end), m_stop(stop) {}

    // Fills `out`; none (complete), incomplete, or the anomaly. In Stop::at_first_sni mode
    // returns none as soon as out.server_names holds the first name.
    HelloAnomaly parse(ClientHello& out);

    // Offset of the first host_name's bytes within the handshake message.
    std::optional<size_t> sni_message_offset() const { return m_sni_offset; }

  private:
    // n more bytes must fit before `limit` (else `past_limit`) and be present (else incomplete).
    HelloAnomaly need(size_t n, size_t limit, HelloAnomaly past_limit) const {
        if (n > limit - m_pos) return past_limit;
        if (n > m_message.size() - m_pos) return HelloAnomaly::incomplete;
        return HelloAnomaly::none;
    }
    bool collecting() const { return m_stop == Stop::at_end; }
    HelloAnomaly parse_extension(uint16_t type, std::span<const uint8_t> body, ClientHello& out);
    HelloAnomaly parse_server_name(std::span<const uint8_t> body, ClientHello& out);
    static HelloAnomaly parse_supported_groups(std::span<const uint8_t> body, ClientHello& out);
    static HelloAnomaly parse_alpn(std::span<const uint8_t> body, ClientHello& out);
    static HelloAnomaly parse_supported_versions(std::span<const uint8_t> body, ClientHello& out);
    static HelloAnomaly parse_key_share(std::span<const uint8_t> body, ClientHello& out);

    std::span<const uint8_t> m_message;
    size_t m_end;
    Stop m_stop;
    size_t m_pos = k_handshake_header_bytes;
    std::optional<size_t> m_sni_offset;
};

#define SNIPROBE_TRY(expr)                                              \
    do {                                                                \
        if (const HelloAnomaly a_ = (expr); a_ != HelloAnomaly::none) { \
            return a_;                                                  \
        }                                                               \
    } while (false)

HelloAnomaly HelloReader::parse(ClientHello& out) {
    constexpr auto trunc = HelloAnomaly::truncated_body;
    SNIPROBE_TRY(need(2 + 32 + 1, m_end, trunc));  // legacy_version, random, session id length
    out.legacy_version = be16(m_message, m_pos);
    m_pos += 2 + 32;
    const size_t session_id_len = m_message[m_pos++];
    if (session_id_len > k_max_session_id_bytes) return HelloAnomaly::bad_session_id;
    out.session_id_length = static_cast<uint8_t>(session_id_len);
    SNIPROBE_TRY(need(session_id_len + 2, m_end, trunc));
    m_pos += session_id_len;

    const size_t suites_len = be16(m_message, m_pos);
    m_pos += 2;
    if (suites_len == 0 || suites_len % 2 != 0) return HelloAnomaly::bad_cipher_suites;
    SNIPROBE_TRY(need(suites_len + 1, m_end, trunc));
    if (collecting()) {
        out.cipher_suites.reserve(suites_len / 2);
        for (size_t i = 0; i < suites_len; i += 2)
            out.cipher_suites.push_back(be16(m_message, m_pos + i));
    }
    m_pos += suites_len;

    const size_t compression_len = m_message[m_pos++];
    if (compression_len == 0) return HelloAnomaly::bad_compression_methods;
    SNIPROBE_TRY(need(compression_len, m_end, trunc));
    m_pos += compression_len;
    if (m_pos == m_end) return HelloAnomaly::none;  // a hello without extensions (TLS 1.0 era)

    SNIPROBE_TRY(need(2, m_end, trunc));
    const size_t extensions_len = be16(m_message, m_pos);
    m_pos += 2;
    if (extensions_len > m_end - m_pos) return trunc;
    if (extensions_len < m_end - m_pos) return HelloAnomaly::bad_extension_block;

    SeenTypes seen;
    while (m_pos < m_end) {
        SNIPROBE_TRY(need(4, m_end, HelloAnomaly::bad_extension_block));
        const uint16_t type = be16(m_message, m_pos);
        const uint16_t length = be16(m_message, m_pos + 2);
        m_pos += 4;
        if (length > m_end - m_pos) return HelloAnomaly::bad_extension_block;
        if (!seen.insert(type)) return HelloAnomaly::duplicate_extension;
        if (collecting()) out.extensions.push_back(HelloExtension{type, length});
        SNIPROBE_TRY(need(length, m_end, HelloAnomaly::bad_extension_block));
        SNIPROBE_TRY(parse_extension(type, m_message.subspan(m_pos, length), out));
        m_pos += length;
        if (!collecting() && !out.server_names.empty()) return HelloAnomaly::none;
    }
    return HelloAnomaly::none;
}

HelloAnomaly HelloReader::parse_extension(uint16_t type, std::span<const uint8_t> body,
                                          ClientHello& out) {
    switch (type) {
        case k_ext_server_name:
            return parse_server_name(body, out);
        case k_ext_supported_groups:
            return collecting() ? parse_supported_groups(body, out) : HelloAnomaly::none;
        case k_ext_alpn:
            return collecting() ? parse_alpn(body, out) : HelloAnomaly::none;
        case k_ext_supported_versions:
            return collecting() ? parse_supported_versions(body, out) : HelloAnomaly::none;
        case k_ext_key_share:
            return collecting() ? parse_key_share(body, out) : HelloAnomaly::none;
        default:
            return HelloAnomaly::none;
    }
}

// server_name: a u16 list of (u8 name_type, u16 length, bytes); every host_name is kept.
HelloAnomaly HelloReader::parse_server_name(std::span<const uint8_t> body, ClientHello& out) {
    constexpr auto bad = HelloAnomaly::bad_server_name;
    if (body.size() < 2 || be16(body, 0) + size_t{2} != body.size() || body.size() == 2) return bad;
    size_t p = 2;
    while (p < body.size()) {
        if (body.size() - p < 3) return bad;
        const uint8_t name_type = body[p];
        const size_t name_len = be16(body, p + 1);
        p += 3;
        if (name_len == 0 || name_len > body.size() - p) return bad;
        if (name_type == k_name_type_host_name) {
            if (!m_sni_offset) m_sni_offset = m_pos + p;
            out.server_names.emplace_back(reinterpret_cast<const char*>(body.data() + p), name_len);
            if (!collecting()) return HelloAnomaly::none;
        }
        p += name_len;
    }
    return HelloAnomaly::none;
}

// supported_groups: a u16-length list of u16 groups, not empty.
HelloAnomaly HelloReader::parse_supported_groups(std::span<const uint8_t> body, ClientHello& out) {
    if (body.size() < 4 || be16(body, 0) + size_t{2} != body.size() || body.size() % 2 != 0) {
        return HelloAnomaly::bad_extension_body;
    }
    for (size_t p = 2; p < body.size(); p += 2) out.supported_groups.push_back(be16(body, p));
    return HelloAnomaly::none;
}

// ALPN: a u16 list of u8-length protocol names, none empty.
HelloAnomaly HelloReader::parse_alpn(std::span<const uint8_t> body, ClientHello& out) {
    constexpr auto bad = HelloAnomaly::bad_extension_body;
    if (body.size() < 4 || be16(body, 0) + size_t{2} != body.size()) return bad;
    for (size_t p = 2; p < body.size();) {
        const size_t len = body[p++];
        if (len == 0 || len > body.size() - p) return bad;
        out.alpn.emplace_back(reinterpret_cast<const char*>(body.data() + p), len);
        p += len;
    }
    return HelloAnomaly::none;
}

// supported_versions (ClientHello form): a u8-length list of u16 versions.
HelloAnomaly HelloReader::parse_supported_versions(std::span<const uint8_t> body,
                                                   ClientHello& out) {
    if (body.size() < 3 || body[0] + size_t{1} != body.size() || body[0] % 2 != 0) {
        return HelloAnomaly::bad_extension_body;
    }
    for (size_t p = 1; p < body.size(); p += 2) out.supported_versions.push_back(be16(body, p));
    return HelloAnomaly::none;
}

// key_share (ClientHello form): a u16 list of (u16 group, u16 length, key bytes); may be empty.
HelloAnomaly HelloReader::parse_key_share(std::span<const uint8_t> body, ClientHello& out) {
    constexpr auto bad = HelloAnomaly::bad_extension_body;
    if (body.size() < 2 || be16(body, 0) + size_t{2} != body.size()) return bad;
    for (size_t p = 2; p < body.size();) {
        if (body.size() - p < 4) return bad;
        const uint16_t group = be16(body, p);
        const size_t key_len = be16(body, p + 2);
        p += 4;
        if (key_len == 0 || key_len > body.size() - p) return bad;
        out.key_share_groups.push_back(group);
        p += key_len;
    }
    return HelloAnomaly::none;
}

#undef SNIPROBE_TRY

}  // namespace

std::string_view hello_anomaly_name(HelloAnomaly a) {
    switch (a) {
        case HelloAnomaly::none:
            return "none";
        case HelloAnomaly::incomplete:
            return "incomplete";
        case HelloAnomaly::not_tls:
            return "not_tls";
        case HelloAnomaly::bad_record_version:
            return "bad_record_version";
        case HelloAnomaly::record_too_long:
            return "record_too_long";
        case HelloAnomaly::not_client_hello:
            return "not_client_hello";
        case HelloAnomaly::handshake_too_long:
            return "handshake_too_long";
        case HelloAnomaly::truncated_body:
            return "truncated_body";
        case HelloAnomaly::bad_extension_block:
            return "bad_extension_block";
        case HelloAnomaly::bad_server_name:
            return "bad_server_name";
        case HelloAnomaly::duplicate_extension:
            return "duplicate_extension";
        case HelloAnomaly::interleaved_record:
            return "interleaved_record";
        case HelloAnomaly::bad_session_id:
            return "bad_session_id";
        case HelloAnomaly::bad_cipher_suites:
            return "bad_cipher_suites";
        case HelloAnomaly::bad_compression_methods:
            return "bad_compression_methods";
        case HelloAnomaly::bad_extension_body:
            return "bad_extension_body";
    }
    return "unknown";
}

HelloParse parse_client_hello(std::span<const uint8_t> stream) {
    std::vector<uint8_t> scratch;
    const Gathered g = gather_handshake(stream, scratch);
    HelloParse result;
    if (g.anomaly != HelloAnomaly::none && g.anomaly != HelloAnomaly::incomplete) {
        result.anomaly = g.anomaly;
        return result;
    }
    if (g.declared_end == 0) {  // not even the handshake header yet
        result.anomaly = HelloAnomaly::incomplete;
        return result;
    }
    ClientHello hello;
    HelloReader reader(g.message, g.declared_end, Stop::at_end);
    result.anomaly = reader.parse(hello);
    if (result.anomaly == HelloAnomaly::none && g.anomaly == HelloAnomaly::incomplete) {
        result.anomaly = HelloAnomaly::incomplete;  // defensive: a parse never ends early
    }
    if (result.anomaly != HelloAnomaly::none) return result;
    hello.record_version = g.record_version;
    hello.record_count = g.record_count;
    hello.hello_length = g.declared_end - k_handshake_header_bytes;
    hello.stream_bytes = g.stream_bytes;
    if (auto offset = reader.sni_message_offset())
        hello.sni_offset = stream_offset_of(stream, *offset);
    result.hello = std::move(hello);
    return result;
}

std::optional<std::string> quick_sni(std::span<const uint8_t> stream) {
    std::vector<uint8_t> scratch;
    const Gathered g = gather_handshake(stream, scratch);
    if (g.anomaly != HelloAnomaly::none && g.anomaly != HelloAnomaly::incomplete)
        return std::nullopt;
    if (g.declared_end == 0) return std::nullopt;
    ClientHello hello;
    HelloReader reader(g.message, g.declared_end, Stop::at_first_sni);
    if (reader.parse(hello) != HelloAnomaly::none || hello.server_names.empty())
        return std::nullopt;
    return std::move(hello.server_names.front());
}

std::vector<uint16_t> quick_extension_types(std::span<const uint8_t> stream) {
    std::vector<uint8_t> scratch;
    const Gathered g = gather_handshake(stream, scratch);
    if (g.anomaly != HelloAnomaly::none && g.anomaly != HelloAnomaly::incomplete) return {};
    if (g.declared_end == 0) return {};
    ClientHello hello;
    HelloReader reader(g.message, g.declared_end, Stop::at_end);
    const HelloAnomaly a = reader.parse(hello);
    // A header seen before a malformed body still names its extension; a broken block
    // (an anomaly) says nothing trustworthy about the rest.
    if (a != HelloAnomaly::none && a != HelloAnomaly::incomplete) return {};
    std::vector<uint16_t> types;
    types.reserve(hello.extensions.size());
    for (const HelloExtension& e : hello.extensions) types.push_back(e.type);
    return types;
}

}  // namespace sniprobe::wire
