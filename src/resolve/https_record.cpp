// HTTPS records by hand (see https_record.hpp). One bounds-checked reader walks every
// structure: a DNS message, an RDATA, an ECHConfigList; each read says whether the bytes
// were there, and the first shortfall ends the parse with a reason.
#include "resolve/https_record.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace sniprobe {
namespace {

constexpr uint16_t k_type_https = 65;
constexpr uint16_t k_class_in = 1;
constexpr uint16_t k_key_alpn = 1;
constexpr uint16_t k_key_no_default_alpn = 2;
constexpr uint16_t k_key_port = 3;
constexpr uint16_t k_key_ech = 5;
constexpr uint16_t k_ech_version = 0xfe0d;
constexpr size_t k_max_name_bytes = 255;  // RFC 1035 §2.3.4, wire form

class Reader {
  public:
    explicit Reader(std::span<const uint8_t> bytes) : m_bytes(bytes) {}

    bool u8(uint8_t& v) {
        if (left() < 1) return false;
        v = m_bytes[m_pos++];
        return true;
    }
    bool u16(uint16_t& v) {
        if (left() < 2) return false;
        v = static_cast<uint16_t>((m_bytes[m_pos] << 8) | m_bytes[m_pos + 1]);
        m_pos += 2;
        return true;
    }
    bool u32(uint32_t& v) {
        uint16_t hi = 0, lo = 0;
        if (!u16(hi) || !u16(lo)) return false;
        v = (uint32_t{hi} << 16) | lo;
        return true;
    }
    // n bytes, as a span into the input.
    bool take(size_t n, std::span<const uint8_t>& out) {
        if (left() < n) return false;
        out = m_bytes.subspan(m_pos, n);
        m_pos += n;
        return true;
    }
    bool skip(size_t n) {
        std::span<const uint8_t> ignored;
        return take(n, ignored);
    }
    size_t left() const { return m_bytes.size() - m_pos; }

  private:
    std::span<const uint8_t> m_bytes;
    size_t m_pos = 0;
};

// An uncompressed name ("foo.example.com", "." for the root).
Result<std::string> read_plain_name(Reader& r) {
    std::string name;
    size_t wire = 0;
    for (;;) {
        uint8_t len = 0;
        if (!r.u8(len)) return fail("TargetName: truncated");
        ++wire;
        if (len == 0) break;
        if (len > 63) return fail("TargetName: compressed or not a label (RFC 9460 §2.2)");
        std::span<const uint8_t> label;
        if (!r.take(len, label)) return fail("TargetName: truncated label");
        wire += len;
        if (wire > k_max_name_bytes) return fail("TargetName: longer than 255 bytes");
        if (!name.empty()) name += '.';
        name.append(label.begin(), label.end());
    }
    return name.empty() ? std::string(".") : name;
}

// Skips a possibly compressed owner name in a message (RFC 1035 §4.1.4).
bool skip_name(Reader& r) {
    for (;;) {
        uint8_t len = 0;
        if (!r.u8(len)) return false;
        if (len == 0) return true;
        if ((len & 0xc0) == 0xc0) return r.skip(1);  // a pointer ends the name here
        if (len > 63) return false;
        if (!r.skip(len)) return false;
    }
}

// The public_name of every version-0xfe0d ECHConfig; nullopt when the list is malformed.
std::optional<std::vector<std::string>> ech_public_names(std::span<const uint8_t> list) {
    Reader r(list);
    uint16_t total = 0;
    if (!r.u16(total) || total != r.left() || total < 4) return std::nullopt;
    std::vector<std::string> names;
    while (r.left() > 0) {
        uint16_t version = 0, length = 0;
        std::span<const uint8_t> body;
        if (!r.u16(version) || !r.u16(length) || !r.take(length, body)) return std::nullopt;
        if (version != k_ech_version) continue;  // another version: skipped, as clients do
        Reader c(body);
        uint8_t config_id = 0, max_name = 0, name_len = 0;
        uint16_t kem = 0, key_len = 0, suites_len = 0;
        std::span<const uint8_t> name;
        if (!c.u8(config_id) || !c.u16(kem) || !c.u16(key_len) || key_len == 0 ||
            !c.skip(key_len) || !c.u16(suites_len) || suites_len < 4 || suites_len % 4 != 0 ||
            !c.skip(suites_len) || !c.u8(max_name) || !c.u8(name_len) || name_len == 0 ||
            !c.take(name_len, name))
            return std::nullopt;
        uint16_t extensions_len = 0;
        if (!c.u16(extensions_len) || extensions_len != c.left()) return std::nullopt;
        names.emplace_back(name.begin(), name.end());
    }
    return names;
}

}  // namespace

bool HttpsRecord::has_alpn(std::string_view id) const {
    return std::find(alpn.begin(), alpn.end(), id) != alpn.end();
}

Result<HttpsRecord> parse_https_rdata(std::span<const uint8_t> rdata) {
    Reader r(rdata);
    HttpsRecord rec;
    if (!r.u16(rec.priority)) return fail("SvcPriority: truncated");
    auto target = read_plain_name(r);
    if (!target) return tl::unexpected(target.error());
    rec.target = std::move(*target);
    std::optional<uint16_t> last;
    while (r.left() > 0) {
        uint16_t key = 0, length = 0;
        std::span<const uint8_t> value;
        if (!r.u16(key) || !r.u16(length)) return fail("SvcParam: truncated header");
        if (!r.take(length, value))
            return fail(fmt::format("SvcParam key{}: value past the record's end", key));
        if (last && key <= *last)
            return fail(fmt::format("SvcParam key{}: keys not in ascending order", key));
        last = key;
        rec.keys.push_back(key);
        switch (key) {
            case k_key_alpn: {
                Reader v(value);
                if (v.left() == 0) return fail("alpn: empty");
                while (v.left() > 0) {
                    uint8_t n = 0;
                    std::span<const uint8_t> id;
                    if (!v.u8(n) || n == 0 || !v.take(n, id))
                        return fail("alpn: empty or truncated protocol id");
                    rec.alpn.emplace_back(id.begin(), id.end());
                }
                break;
            }
            case k_key_no_default_alpn:
                if (!value.empty()) return fail("no-default-alpn: must be empty");
                rec.no_default_alpn = true;
                break;
            case k_key_port: {
                Reader v(value);
                uint16_t port = 0;
                if (value.size() != 2 || !v.u16(port)) return fail("port: must be two bytes");
                rec.port = port;
                break;
            }
            case k_key_ech:
                if (value.empty()) return fail("ech: empty");
                rec.ech.assign(value.begin(), value.end());
                if (auto names = ech_public_names(value)) rec.ech_public_names = std::move(*names);
                break;
            default:
                break;  // mandatory, ipv4hint, ipv6hint, others: kept by key only
        }
    }
    if (rec.alias() && !rec.keys.empty()) return fail("AliasMode record with SvcParams");
    return rec;
}

Result<std::vector<HttpsRecord>> https_records_from_response(std::span<const uint8_t> message) {
    Reader r(message);
    uint16_t id = 0, flags = 0, questions = 0, answers = 0, authority = 0, additional = 0;
    if (!r.u16(id) || !r.u16(flags) || !r.u16(questions) || !r.u16(answers) || !r.u16(authority) ||
        !r.u16(additional))
        return fail("DNS message: truncated header");
    if ((flags & 0x8000) == 0) return fail("DNS message: not a response");
    for (uint16_t i = 0; i < questions; ++i)
        if (!skip_name(r) || !r.skip(4)) return fail("DNS message: truncated question");
    std::vector<HttpsRecord> out;
    for (uint16_t i = 0; i < answers; ++i) {
        uint16_t type = 0, klass = 0, length = 0;
        uint32_t ttl = 0;
        std::span<const uint8_t> rdata;
        if (!skip_name(r) || !r.u16(type) || !r.u16(klass) || !r.u32(ttl) || !r.u16(length) ||
            !r.take(length, rdata))
            return fail("DNS message: truncated answer");
        if (type != k_type_https || klass != k_class_in) continue;
        auto rec = parse_https_rdata(rdata);
        if (!rec) return fail("HTTPS record: " + rec.error().message);
        out.push_back(std::move(*rec));
    }
    return out;
}

}  // namespace sniprobe
