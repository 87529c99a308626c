// Residual blocking: some injectors (the GFW, DESIGN's `residual` rules) keep blocking
// the (client, server, port) tuple for minutes after one trigger, so after the first
// handshake naming the target is reset, *every* later connection fails whatever its
// name — the differential test then sees no difference. The time order still tells:
// handshakes reached the server (diagnose runs the controls first, as a baseline) until
// a hello naming the target failed, and no connection started after it got through.
// The reset form needs packet evidence of injection (else a server that went down
// mid-run looks the same); the drop form has no packet, only timing, so it needs two
// answered controls before the trigger and no hello naming the target ever answered.
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

// The run read in time order around the first failed hello naming the target (the
// trigger): what reached the server before it, and what failed after it, on its
// (address, port). "After" is by a trial's start: under a residual block a new SYN is
// refused or dropped, while a connection opened before the trigger is untouched.
struct ResidualTiming {
    int trigger_id = 0;
    Variant trigger_variant = Variant::sni;
    Outcome trigger_outcome = Outcome::reset;
    double trigger_t = 0;  // its hello went out, seconds since the run started
    std::string address;
    uint16_t port = 0;
    int reached_before = 0, controls_reached_before = 0;
    int after = 0, failed_after = 0, control_failed_after = 0, connect_failed_after = 0;
    int target_hellos_failed = 0;            // target-named hellos sent, failed like the trigger
    int target_hellos_answered = 0;          // target-named hellos the server answered
    int injected_rsts = 0, server_rsts = 0;  // on the target's reset/eof failures

    // Controls passed before the trigger; after it nearly everything failed, controls too.
    bool blocked_after() const {
        return reached_before > 0 && after > 0 && failed_after * 5 >= after * 4 &&
               control_failed_after > 0;
    }
};

std::optional<ResidualTiming> residual_timing(const Facts& f) {
    const Trial* trigger = nullptr;
    double trigger_t = 0;
    for (const Trial& t : f.d.trials) {
        if (!names_target_in_hello(t.variant) || !t.hello_sent_ms) continue;
        const Outcome o = classify(t);
        if (o != Outcome::reset && o != Outcome::eof && o != Outcome::timeout) continue;
        const double hello_t = t.t0 + *t.hello_sent_ms / 1000.0;
        if (!trigger || hello_t < trigger_t) {
            trigger = &t;
            trigger_t = hello_t;
        }
    }
    if (!trigger) return std::nullopt;
    ResidualTiming r;
    r.trigger_id = trigger->id;
    r.trigger_variant = trigger->variant;
    r.trigger_outcome = classify(*trigger);
    r.trigger_t = trigger_t;
    r.address = trigger->address;
    r.port = trigger->port;
    std::set<int> target_failures;
    for (const Trial& t : f.d.trials) {
        // The block is on the TCP tuple: QUIC to the same port is UDP, a tuple of its own
        // that the box may leave alone, so its answers say nothing about this block.
        if (is_http_variant(t.variant) || is_quic(t.variant) || t.address != r.address ||
            t.port != r.port)
            continue;
        const Outcome o = classify(t);
        if (names_target_in_hello(t.variant) && t.hello_sent_ms) {
            if (reached_server(t)) ++r.target_hellos_answered;
            if (o == r.trigger_outcome) ++r.target_hellos_failed;
            if (o == Outcome::reset || o == Outcome::eof) target_failures.insert(t.id);
        }
        if (&t == trigger) continue;
        if (t.t0 < trigger_t) {
            if (reached_server(t)) {
                ++r.reached_before;
                r.controls_reached_before += is_control_tls(t.variant) ? 1 : 0;
            }
            continue;
        }
        ++r.after;
        if (!failed(o)) continue;
        ++r.failed_after;
        r.connect_failed_after += o == Outcome::connect_failed ? 1 : 0;
        r.control_failed_after += is_control_tls(t.variant) ? 1 : 0;
    }
    for (const RstFinding& rst : f.d.analysis.rsts) {
        if (!target_failures.count(rst.trial_id) || rst.after_injected) continue;
        r.injected_rsts += rst.origin == RstOrigin::injected;
        r.server_rsts += rst.origin == RstOrigin::server;
    }
    return r;
}

std::string timing_line(const ResidualTiming& r) {
    return fmt::format(
        "{} handshake(s) reached the server before trial {} ({}) sent the first failing hello "
        "naming the target at t={:.2f}s ({}); of the {} trials started after it {} failed, {} of "
        "them controls, {} already at connect",
        r.reached_before, r.trigger_id, variant_name(r.trigger_variant), r.trigger_t,
        outcome_name(r.trigger_outcome), r.after, r.failed_after, r.control_failed_after,
        r.connect_failed_after);
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
    const auto timing = residual_timing(f);
    if (!timing || !timing->blocked_after()) return std::nullopt;
    const ResidualTiming& r = *timing;
    const Outcome o = r.trigger_outcome;

    Verdict v;
    int injected = 0;
    if (o == Outcome::timeout) {
        // The drop form leaves no packet: only timing. The server answered the controls
        // before the trigger, no hello naming the target was ever answered, and the
        // target's hellos that got out before the block all went unanswered.
        if (r.controls_reached_before < 2 || r.target_hellos_answered > 0 ||
            r.target_hellos_failed == 0 || r.server_rsts > 0)
            return std::nullopt;
        v.cause = Cause::sni_drop;
        v.confidence = 0.6;
    } else {
        // The packets must show an injection on a target-name failure, and none from the server.
        injected = r.injected_rsts;
        if (injected == 0 || r.server_rsts > 0) return std::nullopt;
        v.cause = o == Outcome::reset ? Cause::sni_reset : Cause::sni_close;
        v.confidence = 0.65;
    }
    const char* done = o == Outcome::reset ? "reset" : o == Outcome::eof ? "closed" : "black-holed";
    v.summary = fmt::format(
        "A handshake naming {} was {}{}, and after it every new connection to {} port {} failed "
        "whatever the name, although the controls had passed before: name-triggered blocking "
        "that then blocks the address and port for a while.",
        f.name, done, o == Outcome::timeout ? "" : " by an injected packet", r.address, r.port);
    v.evidence.push_back(cite(evidence::residual_blocking, timing_line(r)));
    if (o != Outcome::timeout)
        v.evidence.push_back(
            injected_evidence(o, InjectedReading::after_trigger, injected, injected));
    else
        v.evidence.push_back(
            cite(evidence::sni_timeout_rate,
                 fmt::format("{} hello(s) naming the target got out before the block and none was "
                             "answered; {} control handshake(s) before it were answered",
                             r.target_hellos_failed, r.controls_reached_before)));
    v.advice.push_back(fmt::format(
        "The name {} triggers it, not the address: after the block expires (often 90-180 s), "
        "re-run with a few trials to see the trigger without the residual block, or time the "
        "block with --residual.",
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

void add_residual_timing_evidence(const Facts& f, Verdict& v) {
    if (v.cause != Cause::sni_reset && v.cause != Cause::sni_drop && v.cause != Cause::sni_close)
        return;
    if (cites(v, evidence::residual_blocking)) return;
    const auto timing = residual_timing(f);
    if (!timing || !timing->blocked_after()) return;
    v.evidence.push_back(cite(evidence::residual_blocking, timing_line(*timing)));
}

}  // namespace sniprobe::verdict
