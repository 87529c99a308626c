// Residual blocking: some injectors (the GFW, DESIGN's `residual` rules) keep blocking
// the (client, server, port) tuple for minutes after one trigger, so after the first
// handshake naming the target is reset, *every* later connection fails whatever its
// name — the differential test then sees no difference. The time order still tells:
// handshakes reached the server until a target-name trial was reset by an injected
// packet, and nothing got through afterwards. Without packet evidence of injection the
// pattern could be a server that went down mid-run, so the rule needs the capture.
// E_RESIDUAL_BLOCKING is built here only: by this rule, for the differential rule's
// controls that failed only after the target name, and from `diagnose --residual`'s
// measurement (d.residual), which adds a measured line to whatever the verdict is.
#include <fmt/core.h>

#include <algorithm>
#include <limits>
#include <set>

#include "verdict/rules.hpp"

namespace sniprobe::verdict {
namespace {

bool names_target(Variant v) {
    return v == Variant::sni || v == Variant::sni_split_tcp || v == Variant::sni_split_record ||
           v == Variant::sni_case || v == Variant::sni_large || v == Variant::full_verify ||
           v == Variant::sni_chrome || v == Variant::sni_firefox;
}

bool failed(Outcome o) {
    return o == Outcome::reset || o == Outcome::eof || o == Outcome::timeout ||
           o == Outcome::connect_failed;
}

// Controls that failed the same way only after the target name had first failed:
// a box that keeps blocking the (client, server, port) tuple for a while.
bool residual_pattern(const Facts& f, Outcome o) {
    double first_target_failure = std::numeric_limits<double>::infinity();
    for (const Trial& t : f.d.trials)
        if (t.variant == Variant::sni && classify(t) == o)
            first_target_failure = std::min(first_target_failure, t.t0);
    int failed_controls = 0;
    for (const Trial& t : f.d.trials) {
        if (t.variant != Variant::no_sni && t.variant != Variant::control_sni) continue;
        if (classify(t) != o) continue;
        ++failed_controls;
        if (t.t0 < first_target_failure) return false;
    }
    return failed_controls > 0;
}

std::string tuple_text(const ResidualReport& r) {
    return fmt::format("{} to {}:{}", r.control_name, r.address, r.port);
}

std::string keyed_text(const ResidualReport& r) {
    if (!r.keyed_fields) return r.scope;
    return fmt::format("keyed on {} fields ({})", *r.keyed_fields, r.scope);
}

}  // namespace

std::optional<Evidence> residual_pattern_evidence(const Facts& f, Outcome o, int control_failed) {
    if (!residual_pattern(f, o)) return std::nullopt;
    return cite(evidence::residual_blocking,
                fmt::format("{} control trials failed, all after the first {} of the target name",
                            control_failed, outcome_name(o)));
}

void add_measured_residual_evidence(const Facts& f, Verdict& v) {
    if (!f.d.residual) return;
    const ResidualReport& r = *f.d.residual;
    const std::string trigger = r.trigger_trial_id
                                    ? fmt::format("trial {} (the target name, reset at t={:.2f}s)",
                                                  *r.trigger_trial_id, r.trigger_t.value_or(0))
                                    : std::string();
    if (r.status == ResidualStatus::cleared)
        v.evidence.push_back(
            cite(evidence::residual_blocking,
                 fmt::format("measured: after {} the control {} kept failing on fresh source "
                             "ports for {:.1f} s and passed again {:.1f} s after the trigger; {}",
                             trigger, tuple_text(r), r.blocked_until_s.value_or(0),
                             r.window_s.value_or(0), keyed_text(r))));
    else if (r.status == ResidualStatus::still_blocked)
        v.evidence.push_back(
            cite(evidence::residual_blocking,
                 fmt::format("measured: after {} the control {} still failed at the "
                             "--residual-max-s bound of {:.0f} s (last probe {:.1f} s after "
                             "the trigger); {}",
                             trigger, tuple_text(r), r.max_s, r.blocked_until_s.value_or(0),
                             keyed_text(r))));
}

std::optional<Verdict> rule_residual_blocking(const Facts& f) {
    std::vector<const Trial*> tls;
    for (const Trial& t : f.d.trials)
        if (!is_http_variant(t.variant)) tls.push_back(&t);
    std::stable_sort(tls.begin(), tls.end(),
                     [](const Trial* a, const Trial* b) { return a->t0 < b->t0; });

    auto first =
        std::find_if(tls.begin(), tls.end(), [](const Trial* t) { return failed(classify(*t)); });
    if (first == tls.end()) return std::nullopt;
    const Trial& trigger = **first;
    const Outcome trigger_outcome = classify(trigger);
    if (!names_target(trigger.variant) ||
        (trigger_outcome != Outcome::reset && trigger_outcome != Outcome::eof))
        return std::nullopt;

    int reached_before = 0, after = 0, failed_after = 0, control_failed_after = 0;
    for (const Trial* t : tls) {
        if (t->t0 < trigger.t0) reached_before += reached_server(*t) ? 1 : 0;
        if (t->t0 <= trigger.t0 || t == &trigger) continue;
        ++after;
        if (!failed(classify(*t))) continue;
        ++failed_after;
        if (!names_target(t->variant)) ++control_failed_after;
    }
    if (reached_before == 0 || after == 0 || failed_after * 5 < after * 4 ||
        control_failed_after == 0)
        return std::nullopt;

    // The packets must show an injection on a target-name failure, and none from the server.
    std::set<int> target_failures;
    for (const Trial* t : tls)
        if (names_target(t->variant) &&
            (classify(*t) == Outcome::reset || classify(*t) == Outcome::eof))
            target_failures.insert(t->id);
    int injected = 0, server = 0;
    for (const RstFinding& r : f.d.analysis.rsts) {
        if (!target_failures.count(r.trial_id) || r.after_injected) continue;
        injected += r.origin == RstOrigin::injected;
        server += r.origin == RstOrigin::server;
    }
    if (injected == 0 || server > 0) return std::nullopt;

    Verdict v;
    const bool reset = trigger_outcome == Outcome::reset;
    v.cause = reset ? Cause::sni_reset : Cause::sni_close;
    v.confidence = 0.65;
    v.summary = fmt::format(
        "A handshake naming {} was {} by an injected packet, and after it every connection to the "
        "address failed whatever the name: name-triggered blocking that then blocks the address "
        "for a while.",
        f.name, reset ? "reset" : "closed");
    v.evidence.push_back(cite(
        evidence::residual_blocking,
        fmt::format("trial {} ({}) {} at t={:.2f}s; before it {} handshakes reached the server; "
                    "after it {} of {} trials failed, {} of them without the name",
                    trigger.id, variant_name(trigger.variant), outcome_name(trigger_outcome),
                    trigger.t0, reached_before, failed_after, after, control_failed_after)));
    v.evidence.push_back(
        injected_evidence(trigger_outcome, InjectedReading::after_trigger, injected, injected));
    v.advice.push_back(fmt::format(
        "The name {} triggers it, not the address: after the block expires (often 90-180 s), "
        "re-run "
        "with --concurrency 1 and a few trials to see the trigger without the residual block.",
        f.name));
    v.advice.push_back(fmt::format(
        "If the server is in mainland China, check that {} has an ICP filing with the hosting "
        "provider.",
        f.name));
    v.advice.push_back(
        "Encrypted Client Hello (ECH), or serving the name from outside that network, "
        "avoids the box.");
    return v;
}

}  // namespace sniprobe::verdict
