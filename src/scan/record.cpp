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
#include <charconv>
#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>

#include "analysis/analyze.hpp"
#include "verdict/decide.hpp"

namespace sniprobe::scan {
namespace {

using Json = nlohmann::ordered_json;  // keys in the order written: host first

Json variant_json(const VariantStats& s) {
    Json failures = Json::object();
    for (const auto& [name, count] : s.failures) failures[name] = count;
    return {{"trials", s.trials}, {"ok", s.ok}, {"failures", failures}};
}

Json top_failure(const ScanRecord& r) {
    if (!r.dns_failure.empty()) return r.dns_failure;
    for (const auto& s : r.variants) {
        if (s.variant != Variant::sni || s.failures.empty()) continue;
        auto top =
            std::max_element(s.failures.begin(), s.failures.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; });
        return top->first;
    }
    return nullptr;
}

}  // namespace

Diagnosis build_diagnosis(const ScanTarget& target, const std::string& ip,
                          const std::string& dns_failure, const std::string& control_sni,
                          const std::vector<Trial>& target_trials,
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
        // The usual case: each list is in start order, one merge copies each trial once
        // (sorting afterwards moved whole Trials around, for every target).
        std::merge(target_trials.begin(), target_trials.end(), control_trials.begin(),
                   control_trials.end(), std::back_inserter(d.trials), by_start);
        return d;
    }
    d.trials.insert(d.trials.end(), target_trials.begin(), target_trials.end());
    d.trials.insert(d.trials.end(), control_trials.begin(), control_trials.end());
    std::sort(d.trials.begin(), d.trials.end(), by_start);
    return d;
}

ScanRecord judge_target(const ScanTarget& target, const std::string& ip,
                        const std::string& dns_failure, const std::string& control_sni,
                        const std::vector<Trial>& target_trials,
                        const std::vector<Trial>& control_trials) {
    Diagnosis d =
        build_diagnosis(target, ip, dns_failure, control_sni, target_trials, control_trials);
    d.analysis = analyze(d.trials);
    ScanRecord r;
    r.target = target;
    r.ip = ip;
    r.dns_failure = dns_failure;
    r.control_sni = control_sni;
    r.verdict = decide(d);
    r.variants = std::move(d.analysis.variants);
    for (const Trial& t : target_trials)
        if (t.variant == Variant::sni && t.ok() && !t.tls_version.empty()) {
            r.tls_version = t.tls_version;
            break;
        }
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
void put_string(std::string& out, std::string_view text) {
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
        return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
    });
    if (!plain) {
        out += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
        return;
    }
    out += '"';
    out += text;
    out += '"';
}

void put_int(std::string& out, long value) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out.append(buf, end);
}

// A double as nlohmann writes one (shortest round trip, "1.0" not "1", null if not finite).
void put_double(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    char buf[64];
    char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, end);
}

void put_key(std::string& out, std::string_view key) {
    out += '"';
    out += key;  // the keys below are plain ASCII
    out += "\":";
}

}  // namespace

void write_record(std::ostream& out, const ScanRecord& r) {
    // Two variants of one name would be one key in record_json (the last wins): rare
    // enough to leave to it.
    for (size_t i = 0; i < r.variants.size(); ++i)
        for (size_t j = i + 1; j < r.variants.size(); ++j)
            if (r.variants[i].variant == r.variants[j].variant) {
                out << record_json(r) << '\n';
                return;
            }
    std::string line;
    line.reserve(512);
    line += '{';
    put_key(line, "host");
    put_string(line, r.target.host);
    line += ',';
    put_key(line, "ip");
    if (r.ip.empty())
        line += "null";
    else
        put_string(line, r.ip);
    line += ',';
    put_key(line, "port");
    put_int(line, r.target.port);
    line += ',';
    put_key(line, "ip_source");
    line += r.target.ip_given ? "\"cli\"" : "\"dns\"";
    line += ',';
    put_key(line, "control_sni");
    put_string(line, r.control_sni);
    line += ',';
    put_key(line, "failure");
    const Json failure = top_failure(r);
    if (failure.is_null())
        line += "null";
    else
        put_string(line, failure.get_ref<const std::string&>());
    line += ',';
    put_key(line, "tls_version");
    if (r.tls_version.empty())
        line += "null";
    else
        put_string(line, r.tls_version);
    line += ',';
    put_key(line, "variants");
    line += '{';
    for (size_t i = 0; i < r.variants.size(); ++i) {
        const VariantStats& s = r.variants[i];
        if (i > 0) line += ',';
        put_string(line, variant_name(s.variant));
        line += ":{";
        put_key(line, "trials");
        put_int(line, s.trials);
        line += ',';
        put_key(line, "ok");
        put_int(line, s.ok);
        line += ',';
        put_key(line, "failures");
        line += '{';
        bool first = true;
        for (const auto& [name, count] : s.failures) {
            if (!first) line += ',';
            first = false;
            put_string(line, name);
            line += ':';
            put_int(line, count);
        }
        line += "}}";
    }
    line += "},";
    put_key(line, "verdict");
    line += '{';
    put_key(line, "cause");
    put_string(line, to_name(r.verdict.cause));
    line += ',';
    put_key(line, "confidence");
    put_double(line, std::round(r.verdict.confidence * 100) / 100);
    line += ',';
    put_key(line, "summary");
    put_string(line, r.verdict.summary);
    line += ',';
    put_key(line, "evidence");
    line += '[';
    for (size_t i = 0; i < r.verdict.evidence.size(); ++i) {
        if (i > 0) line += ',';
        put_string(line, r.verdict.evidence[i].id);
    }
    line += ']';
    if (r.verdict.subcode) {
        line += ',';
        put_key(line, "subcode");
        put_string(line, to_name(*r.verdict.subcode));
    }
    line += "},";
    put_key(line, "t");
    put_double(line, std::round(r.t * 1000) / 1000);
    line += "}\n";
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
}

}  // namespace sniprobe::scan
