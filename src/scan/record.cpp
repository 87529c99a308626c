// Judging and writing a record (see record.hpp). The record names the most frequent
// failure of the sni trials as `failure` (OONI strings, null when all succeeded) and
// keeps the evidence ids of the verdict, so a reader can tell a verdict backed by a
// significant difference (E_SNI_RESET_RATE) from one judged without packets.
// The line's format is defined by record_json() (an nlohmann tree); write_record() writes
// the same bytes directly, because building the tree cost more than probing the target
// (a scan writes one line per probe at --trials 1). Strings that are plain printable
// ASCII are copied; any other goes through nlohmann's own escaping, so the two cannot
// differ (unit test: scan record writer).
#include "scan/record.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string_view>

#include "analysis/analyze.hpp"
#include "verdict/decide.hpp"

namespace sniprobe::scan {
namespace {

using namespace std::string_view_literals;

using Json = nlohmann::ordered_json;  // keys in the order written: host first

Json variant_json(const VariantStats& s) {
    Json failures = Json::object();
    for (const auto& [name, count] : s.failures) failures[name] = count;
    return {{"trials", s.trials}, {"ok", s.ok}, {"failures", failures}};
}

// The line's "failure": the DNS failure, else the sni trials' most frequent; none (null)
// when everything succeeded.
std::optional<std::string_view> top_failure_name(const ScanRecord& r) {
    if (!r.dns_failure.empty()) return r.dns_failure;
    for (const auto& s : r.variants) {
        if (s.variant != Variant::sni || s.failures.empty()) continue;
        auto top =
            std::max_element(s.failures.begin(), s.failures.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; });
        return top->first;
    }
    return std::nullopt;
}

Json top_failure(const ScanRecord& r) {
    const auto name = top_failure_name(r);
    return name ? Json(std::string(*name)) : Json(nullptr);
}

}  // namespace

Diagnosis build_diagnosis(const ScanTarget& target, const std::string& ip,
                          const std::string& dns_failure, const std::string& control_sni,
                          std::vector<Trial> target_trials,
                          const std::vector<Trial>& control_trials) {
    Diagnosis d;
    d.target.input = target.host;
    d.target.host = target.host;
    d.target.sni = target.host;
    d.target.port = target.port;
    d.target.control_sni = control_sni;
    if (target.ip_given) d.target.forced_ip = target.ip;
    d.resolution.failure = dns_failure;
    if (!ip.empty()) {
        AddressInfo address;
        address.address = ip;
        address.family = ip.find(':') == std::string::npos ? "ipv4" : "ipv6";
        address.source = target.ip_given ? "cli" : "dns";
        d.resolution.addresses.push_back(std::move(address));
        if (!target.ip_given) d.resolution.dns_addresses.push_back(ip);
    }
    const auto by_start = [](const Trial& a, const Trial& b) { return a.t0 < b.t0; };
    d.trials.reserve(target_trials.size() + control_trials.size());
    if (std::is_sorted(target_trials.begin(), target_trials.end(), by_start) &&
        std::is_sorted(control_trials.begin(), control_trials.end(), by_start)) {
        // The usual case: each list is in start order, one merge moves the target's trials
        // and copies the (shared) controls once each (sorting afterwards moved whole Trials
        // around, for every target).
        std::merge(std::make_move_iterator(target_trials.begin()),
                   std::make_move_iterator(target_trials.end()), control_trials.begin(),
                   control_trials.end(), std::back_inserter(d.trials), by_start);
        return d;
    }
    d.trials.insert(d.trials.end(), std::make_move_iterator(target_trials.begin()),
                    std::make_move_iterator(target_trials.end()));
    d.trials.insert(d.trials.end(), control_trials.begin(), control_trials.end());
    std::sort(d.trials.begin(), d.trials.end(), by_start);
    return d;
}

ScanRecord judge_target(const ScanTarget& target, const std::string& ip,
                        const std::string& dns_failure, const std::string& control_sni,
                        std::vector<Trial> target_trials,
                        const std::vector<Trial>& control_trials) {
    ScanRecord r;
    for (const Trial& t : target_trials)
        if (t.variant == Variant::sni && t.ok() && !t.tls_version.empty()) {
            r.tls_version = t.tls_version;
            break;
        }
    Diagnosis d = build_diagnosis(target, ip, dns_failure, control_sni, std::move(target_trials),
                                  control_trials);
    d.analysis = analyze(d.trials);
    r.target = target;
    r.ip = ip;
    r.dns_failure = dns_failure;
    r.control_sni = control_sni;
    // The line shows evidence ids, never their texts: the rules need not format them.
    r.verdict = decide(d, DecideOptions{.evidence_text = false});
    r.variants = std::move(d.analysis.variants);
    return r;
}

std::string record_json(const ScanRecord& r) {
    Json variants = Json::object();
    for (const auto& s : r.variants)
        variants[std::string(variant_name(s.variant))] = variant_json(s);
    Json evidence = Json::array();
    for (const auto& e : r.verdict.evidence) evidence.push_back(e.id);
    Json verdict = {{"cause", std::string(to_name(r.verdict.cause))},
                    {"confidence", std::round(r.verdict.confidence * 100) / 100},
                    {"summary", r.verdict.summary},
                    {"evidence", evidence}};
    if (r.verdict.subcode) verdict["subcode"] = to_name(*r.verdict.subcode);
    Json line = {
        {"host", r.target.host},
        {"ip", r.ip.empty() ? Json(nullptr) : Json(r.ip)},
        {"port", r.target.port},
        {"ip_source", r.target.ip_given ? "cli" : "dns"},
        {"control_sni", r.control_sni},
        {"failure", top_failure(r)},
        {"tls_version", r.tls_version.empty() ? Json(nullptr) : Json(r.tls_version)},
        {"variants", variants},
        {"verdict", verdict},
        {"t", std::round(r.t * 1000) / 1000},
    };
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// Appends `text` as a JSON string: copied when plain printable ASCII, else escaped by
// nlohmann exactly as record_json() would (invalid UTF-8 replaced).
// The line being written. std::string's append cost more bookkeeping than copying the few
// bytes of each of a line's forty-odd pieces; this appends with one capacity check, and
// is kept from line to line.
class Line {
  public:
    Line() { reallocate(512); }
    void clear() { m_size = 0; }
    Line& operator+=(char c) {
        reserve_more(1);
        m_data[m_size++] = c;
        return *this;
    }
    Line& operator+=(std::string_view text) {
        reserve_more(text.size());
        std::memcpy(m_data.get() + m_size, text.data(), text.size());
        m_size += text.size();
        return *this;
    }
    void append(const char* from, const char* to) {
        *this += std::string_view(from, static_cast<size_t>(to - from));
    }
    const char* data() const { return m_data.get(); }
    size_t size() const { return m_size; }

  private:
    void reserve_more(size_t n) {
        if (m_size + n > m_capacity) [[unlikely]]
            reallocate(std::max(m_size + n, m_capacity * 2));
    }
    void reallocate(size_t capacity) {
        auto data = std::make_unique_for_overwrite<char[]>(capacity);
        if (m_size > 0) std::memcpy(data.get(), m_data.get(), m_size);
        m_data = std::move(data);
        m_capacity = capacity;
    }
    std::unique_ptr<char[]> m_data;
    size_t m_size = 0, m_capacity = 0;
};

// Bytes a JSON string holds as they are: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> k_plain_byte = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c <= 0x7e; ++c) plain[static_cast<size_t>(c)] = c != '"' && c != '\\';
    return plain;
}();

void put_string(Line& out, std::string_view text) {
    for (char c : text)
        if (!k_plain_byte[static_cast<unsigned char>(c)]) {
            out += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
            return;
        }
    out += '"';
    out += text;
    out += '"';
}

void put_int(Line& out, long value) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out.append(buf, end);
}

// A double as nlohmann writes one (shortest round trip, "1.0" not "1", null if not finite).
void put_double(Line& out, double value) {
    if (!std::isfinite(value)) {
        out += "null"sv;
        return;
    }
    char buf[64];
    char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, end);
}

// put_double for a value rounded to hundredths in [0, 1] (the confidence): each of the
// 101 values is formatted once, by put_double itself; anything else goes to put_double.
void put_hundredths(Line& out, double value) {
    static const std::array<std::string, 101> k_text = [] {
        std::array<std::string, 101> text;
        Line formatted;
        for (size_t k = 0; k < text.size(); ++k) {
            formatted.clear();
            put_double(formatted, static_cast<double>(k) / 100);
            text[k].assign(formatted.data(), formatted.size());
        }
        return text;
    }();
    if (value >= 0 && value <= 1) {
        const long k = std::lround(value * 100);
        if (value == static_cast<double>(k) / 100) {
            out += k_text[static_cast<size_t>(k)];
            return;
        }
    }
    put_double(out, value);
}

}  // namespace

// The fixed parts (punctuation with the keys, which are plain ASCII) are appended as
// literals of known length, into one buffer kept for the next line: a scan writes one
// line per target, and the line cost as much as judging it.
void write_record(std::ostream& out, const ScanRecord& r) {
    // Two variants of one name would be one key in record_json (the last wins): rare
    // enough to leave to it.
    for (size_t i = 0; i < r.variants.size(); ++i)
        for (size_t j = i + 1; j < r.variants.size(); ++j)
            if (r.variants[i].variant == r.variants[j].variant) {
                out << record_json(r) << '\n';
                return;
            }
    thread_local Line line;
    line.clear();
    line += "{\"host\":"sv;
    put_string(line, r.target.host);
    line += ",\"ip\":"sv;
    if (r.ip.empty())
        line += "null"sv;
    else
        put_string(line, r.ip);
    line += ",\"port\":"sv;
    put_int(line, r.target.port);
    line += r.target.ip_given ? ",\"ip_source\":\"cli\",\"control_sni\":"sv
                              : ",\"ip_source\":\"dns\",\"control_sni\":"sv;
    put_string(line, r.control_sni);
    line += ",\"failure\":"sv;
    if (const auto failure = top_failure_name(r))
        put_string(line, *failure);
    else
        line += "null"sv;
    line += ",\"tls_version\":"sv;
    if (r.tls_version.empty())
        line += "null"sv;
    else
        put_string(line, r.tls_version);
    line += ",\"variants\":{"sv;
    for (size_t i = 0; i < r.variants.size(); ++i) {
        const VariantStats& s = r.variants[i];
        if (i > 0) line += ',';
        put_string(line, variant_name(s.variant));
        line += ":{\"trials\":"sv;
        put_int(line, s.trials);
        line += ",\"ok\":"sv;
        put_int(line, s.ok);
        line += ",\"failures\":{"sv;
        bool first = true;
        for (const auto& [name, count] : s.failures) {
            if (!first) line += ',';
            first = false;
            put_string(line, name);
            line += ':';
            put_int(line, count);
        }
        line += "}}"sv;
    }
    line += "},\"verdict\":{\"cause\":"sv;
    put_string(line, to_name(r.verdict.cause));
    line += ",\"confidence\":"sv;
    put_hundredths(line, std::round(r.verdict.confidence * 100) / 100);
    line += ",\"summary\":"sv;
    put_string(line, r.verdict.summary);
    line += ",\"evidence\":["sv;
    for (size_t i = 0; i < r.verdict.evidence.size(); ++i) {
        if (i > 0) line += ',';
        put_string(line, r.verdict.evidence[i].id);
    }
    line += ']';
    if (r.verdict.subcode) {
        line += ",\"subcode\":"sv;
        put_string(line, to_name(*r.verdict.subcode));
    }
    line += "},\"t\":"sv;
    put_double(line, std::round(r.t * 1000) / 1000);
    line += "}\n"sv;
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
}

}  // namespace sniprobe::scan
