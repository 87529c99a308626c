// Judging and writing a record (see record.hpp). The record names the most frequent
// failure of the sni trials as `failure` (OONI strings, null when all succeeded) and
// keeps the evidence ids of the verdict, so a reader can tell a verdict backed by a
// significant difference (E_SNI_RESET_RATE) from one judged without packets.
#include "scan/record.hpp"

#include <algorithm>
#include <cmath>
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
    d.trials.reserve(target_trials.size() + control_trials.size());
    d.trials.insert(d.trials.end(), target_trials.begin(), target_trials.end());
    d.trials.insert(d.trials.end(), control_trials.begin(), control_trials.end());
    std::sort(d.trials.begin(), d.trials.end(),
              [](const Trial& a, const Trial& b) { return a.t0 < b.t0; });
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
        if (t.ok() && !t.tls_version.empty()) {
            r.tls_version = t.tls_version;
            break;
        }
    return r;
}

void write_record(std::ostream& out, const ScanRecord& r) {
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
    out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace sniprobe::scan
