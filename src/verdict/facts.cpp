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
    return outcomes[static_cast<size_t>(o)];
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

namespace {

void count(Tally& t, const Trial& trial, Outcome outcome) {
    ++t.trials;
    if (reached_server(trial)) ++t.reached;
    if (trial.captured) ++t.captured;
    ++t.outcomes[static_cast<size_t>(outcome)];
    if (!trial.ok()) {
        ++t.failures[std::string(trial.failure.text())];
        ++t.failure_codes[trial.failure.code()];
    }
    if (!trial.alert_received.empty()) ++t.alerts[trial.alert_received];
}

}  // namespace

Tally tally(const std::vector<Trial>& trials, std::initializer_list<Variant> variants) {
    Tally t;
    for (const Trial& trial : trials) {
        if (std::find(variants.begin(), variants.end(), trial.variant) == variants.end()) continue;
        count(t, trial, classify(trial));
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

// The variant's own tally, or null for a variant no Facts member counts alone (QUIC).
Tally* Facts::own_tally(Variant v) {
    switch (v) {
        case Variant::sni:
            return &target;
        case Variant::no_sni:
            return &no_sni;
        case Variant::control_sni:
            return &control_sni;
        case Variant::sni_split_tcp:
            return &split_tcp;
        case Variant::sni_split_record:
            return &split_record;
        case Variant::sni_case:
            return &sni_case;
        case Variant::sni_large:
            return &large;
        case Variant::control_split_tcp:
            return &control_split;
        case Variant::control_large:
            return &control_large;
        case Variant::sni_chrome:
            return &chrome;
        case Variant::control_chrome:
            return &control_chrome;
        case Variant::sni_firefox:
            return &firefox;
        case Variant::control_firefox:
            return &control_firefox;
        case Variant::sni_ech:
            return &ech;
        case Variant::control_ech:
            return &control_ech;
        case Variant::http_host:
            return &http;
        case Variant::control_http:
            return &http_control;
        case Variant::sni_mss:
            return &mss;
        case Variant::full_verify:
            return &full_verify;
        default:
            return nullptr;
    }
}

// One pass over the trials (a scan judges every target: tallying each group by a pass of
// its own cost more than the rules): each trial classified once and counted in its
// variant's tally and the groups it belongs to (controls; all_tls, every TLS variant).
Facts::Facts(const Diagnosis& diagnosis, bool evidence_texts)
    : d(diagnosis), evidence_text(evidence_texts) {
    name = !d.target.sni.empty() ? d.target.sni : d.target.host;
    for (const Trial& trial : d.trials) {
        if (trial.captured) any_captured = true;
        Tally* own = own_tally(trial.variant);
        if (!own) continue;
        const Outcome outcome = classify(trial);
        count(*own, trial, outcome);
        if (trial.variant == Variant::no_sni || trial.variant == Variant::control_sni)
            count(controls, trial, outcome);
        if (trial.variant != Variant::http_host && trial.variant != Variant::control_http)
            count(all_tls, trial, outcome);
    }
    target_forensics = forensics_for(d, {Variant::sni});
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
