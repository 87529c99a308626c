// Residual blocking: some injectors (the GFW, DESIGN's `residual` rules) keep blocking
// the (client, server, port) tuple for minutes after one trigger, so after the first
// handshake naming the target is reset, *every* later connection fails whatever its
// name — the differential test then sees no difference. The time order still tells:
// handshakes reached the server until a target-name trial was reset by an injected
// packet, and nothing got through afterwards. Without packet evidence of injection the
// pattern could be a server that went down mid-run, so the rule needs the capture.
#include <fmt/core.h>

#include <algorithm>
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

}  // namespace

std::optional<Verdict> rule_residual_blocking(const Facts& f) {
    std::vector<const Trial*> tls;
    for (const Trial& t : f.d.trials)
        if (t.variant != Variant::http_host) tls.push_back(&t);
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
    v.cause = reset ? cause::sni_reset : cause::sni_close;
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
    v.evidence.push_back(cite(
        reset ? evidence::rst_injected : evidence::fin_injected,
        fmt::format("{} packets on failed target-name handshakes do not match the server's SYN-ACK",
                    injected)));
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
