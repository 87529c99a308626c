// Gathering the facts: classification of trials from their failure strings and
// failed_operation (OONI semantics), tallies, and the RST findings of the target's
// failed trials only (a server RST after a successful exchange says nothing about why
// a handshake failed).
#include "verdict/facts.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "model/packet.hpp"

namespace sniprobe::verdict {

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::ok:
            return "ok";
        case Outcome::connect_failed:
            return "connect_failed";
        case Outcome::reset:
            return "reset";
        case Outcome::timeout:
            return "timeout";
        case Outcome::eof:
            return "eof";
        case Outcome::alert:
            return "alert";
        case Outcome::certificate:
            return "certificate";
        default:
            return "other";
    }
}

bool reached_server(const Trial& trial) {
    if (is_http_variant(trial.variant)) return trial.http_status.has_value();
    return trial.server_hello_seen || !trial.alert_received.empty();
}

Outcome classify(const Trial& trial) {
    if (trial.ok()) return Outcome::ok;
    const FailureCode f = trial.failure.code();
    if (!trial.alert_received.empty()) return Outcome::alert;
    if (f == FailureCode::ssl_invalid_hostname || f == FailureCode::ssl_unknown_authority ||
        f == FailureCode::ssl_invalid_certificate)
        return Outcome::certificate;
    const bool connect_phase =
        trial.failed_operation == FailedOperation::connect ||
        (trial.failed_operation == FailedOperation::none && !trial.connect_ms.has_value());
    if (connect_phase) return Outcome::connect_failed;
    if (f == FailureCode::connection_reset) return Outcome::reset;
    if (f == FailureCode::generic_timeout_error) return Outcome::timeout;
    if (f == FailureCode::eof_error) return Outcome::eof;
    return Outcome::other;
}

int Tally::count(Outcome o) const {
    auto it = outcomes.find(o);
    return it == outcomes.end() ? 0 : it->second;
}

double Tally::fraction(Outcome o) const {
    return trials > 0 ? static_cast<double>(count(o)) / trials : 0.0;
}

namespace {

std::vector<std::pair<std::string, int>> by_count(const std::map<std::string, int>& counts) {
    std::vector<std::pair<std::string, int>> items(counts.begin(), counts.end());
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return items;
}

}  // namespace

std::string Tally::failure_list() const {
    std::string out;
    for (const auto& [failure, n] : by_count(failures)) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {}", failure, n);
    }
    return out.empty() ? "no failures" : out;
}

std::string Tally::top_alert() const {
    auto items = by_count(alerts);
    return items.empty() ? std::string{} : items.front().first;
}

Tally tally(const std::vector<Trial>& trials, std::initializer_list<Variant> variants) {
    Tally t;
    for (const Trial& trial : trials) {
        if (std::find(variants.begin(), variants.end(), trial.variant) == variants.end()) continue;
        ++t.trials;
        if (reached_server(trial)) ++t.reached;
        if (trial.captured) ++t.captured;
        ++t.outcomes[classify(trial)];
        if (!trial.ok()) {
            ++t.failures[std::string(trial.failure.text())];
            ++t.failure_codes[trial.failure.code()];
        }
        if (!trial.alert_received.empty()) ++t.alerts[trial.alert_received];
    }
    return t;
}

Forensics forensics_for(const Diagnosis& d, std::initializer_list<Variant> variants) {
    std::set<int> failed_ids;
    for (const Trial& trial : d.trials) {
        if (std::find(variants.begin(), variants.end(), trial.variant) == variants.end()) continue;
        Outcome o = classify(trial);
        if (o == Outcome::reset || o == Outcome::eof) failed_ids.insert(trial.id);
    }
    Forensics f;
    for (const RstFinding& finding : d.analysis.rsts) {
        if (!failed_ids.count(finding.trial_id)) continue;
        // The server's kernel answering an injected RST is a consequence, not a cause.
        if (finding.after_injected) continue;
        const bool is_rst = (finding.flags & tcp_flag::rst) != 0;
        OriginCount& count = is_rst ? f.rst : f.fin;
        switch (finding.origin) {
            case RstOrigin::injected:
                ++count.injected;
                if (finding.signature && *finding.signature != RstSignatureId::unknown)
                    ++f.signatures[std::string(to_name(*finding.signature))];
                break;
            case RstOrigin::server:
                ++count.server;
                break;
            default:
                ++count.unknown;
                break;
        }
    }
    return f;
}

Facts::Facts(const Diagnosis& diagnosis) : d(diagnosis) {
    name = !d.target.sni.empty() ? d.target.sni : d.target.host;
    const auto& trials = d.trials;
    target = tally(trials, {Variant::sni});
    controls = tally(trials, {Variant::no_sni, Variant::control_sni});
    no_sni = tally(trials, {Variant::no_sni});
    control_sni = tally(trials, {Variant::control_sni});
    all_tls = tally(trials, {Variant::sni, Variant::no_sni, Variant::control_sni,
                             Variant::sni_split_tcp, Variant::sni_split_record, Variant::sni_case,
                             Variant::sni_large, Variant::control_split_tcp, Variant::full_verify,
                             Variant::control_large, Variant::sni_chrome, Variant::control_chrome,
                             Variant::sni_firefox, Variant::control_firefox, Variant::sni_mss,
                             Variant::sni_ech, Variant::control_ech});
    split_tcp = tally(trials, {Variant::sni_split_tcp});
    split_record = tally(trials, {Variant::sni_split_record});
    sni_case = tally(trials, {Variant::sni_case});
    large = tally(trials, {Variant::sni_large});
    control_split = tally(trials, {Variant::control_split_tcp});
    control_large = tally(trials, {Variant::control_large});
    chrome = tally(trials, {Variant::sni_chrome});
    control_chrome = tally(trials, {Variant::control_chrome});
    firefox = tally(trials, {Variant::sni_firefox});
    control_firefox = tally(trials, {Variant::control_firefox});
    ech = tally(trials, {Variant::sni_ech});
    control_ech = tally(trials, {Variant::control_ech});
    http = tally(trials, {Variant::http_host});
    http_control = tally(trials, {Variant::control_http});
    mss = tally(trials, {Variant::sni_mss});
    full_verify = tally(trials, {Variant::full_verify});
    target_forensics = forensics_for(d, {Variant::sni});
    any_captured =
        std::any_of(trials.begin(), trials.end(), [](const Trial& t) { return t.captured; });
}

double differential_p(const Tally& target, const Tally& controls, Outcome o) {
    return fisher_greater({target.count(o), target.trials, controls.count(o), controls.trials});
}

std::string ratio(int part, int whole) {
    // Called a few times per verdict, for every target of a scan: no format string.
    std::string out = std::to_string(part);
    out += '/';
    out += std::to_string(whole);
    return out;
}

}  // namespace sniprobe::verdict
