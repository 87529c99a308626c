// The QUIC rule: TCP to the name works (the TCP rules found nothing), but HTTP/3 does not.
// Three shapes, from the QUIC variants (probe/quic_trials.hpp): the hellos naming the
// target vanish while the controls get ServerHellos (a direct SNI drop, as Russia's TSPU
// does); the trigger is answered and the control name then vanishes from the trigger's
// port and from new ones (a residual block, as the GFW does since 2024); or every
// version-1 hello vanishes while version pings are answered (QUIC itself blocked). A
// server that answers no QUIC probe at all may simply not speak QUIC: no blame then.
#include <fmt/core.h>

#include "verdict/rules.hpp"

namespace sniprobe::verdict {
namespace {

bool mostly(const Tally& t, int part) {
    return t.ran() && part * 5 >= t.trials * 4;
}

std::string fallback_advice() {
    return "Browsers that try HTTP/3 wait for it, then fall back to TCP (HTTPS over TCP to "
           "this name works): users see a slow first load, not a failure. Clients that "
           "insist on HTTP/3 fail.";
}

}  // namespace

std::optional<Verdict> rule_quic_block(const Facts& f) {
    const auto& trials = f.d.trials;
    const Tally sni = tally(trials, {Variant::quic_sni});
    if (!sni.ran() || !mostly(f.target, f.target.ok())) return std::nullopt;
    const Tally controls = tally(trials, {Variant::quic_control, Variant::quic_no_sni});
    const Tally ping = tally(trials, {Variant::quic_version_ping});
    const Tally followups =
        tally(trials, {Variant::quic_followup_same_port, Variant::quic_followup_new_port});
    const int silent_sni = sni.count(Outcome::timeout);

    // Residual: the trigger answered, the control name afterwards silent.
    if (mostly(sni, sni.ok()) && mostly(controls, controls.ok()) && followups.ran() &&
        followups.count(Outcome::timeout) * 2 >= followups.trials &&
        followups.ok() * 4 <= followups.trials) {
        Verdict v;
        v.cause = Cause::quic_residual_block;
        v.confidence = followups.ok() == 0 ? 0.9 : 0.75;
        v.summary = fmt::format(
            "After a QUIC hello naming {} got through, QUIC to this address and port is dropped "
            "for a while, whatever the name: HTTP/3 to {} is blocked (TCP works).",
            f.name, f.name);
        v.evidence.push_back(
            cite(evidence::quic_control_ok,
                 fmt::format("quic_sni {} ok, controls {} ok", ratio(sni.ok(), sni.trials),
                             ratio(controls.ok(), controls.trials))));
        v.evidence.push_back(
            cite(evidence::quic_followups_dropped,
                 fmt::format("control name afterwards: {} ok ({})",
                             ratio(followups.ok(), followups.trials), followups.failure_list())));
        v.advice.push_back(fallback_advice());
        v.advice.push_back(
            "The block follows the first QUIC packet that names the site and lasts minutes "
            "(about 3 in China): retrying HTTP/3 soon after fails even for other names on the "
            "same server and port.");
        return v;
    }
    // Direct: the name's hellos silent, the controls answered.
    if (controls.ok() >= 2 && mostly(controls, controls.ok()) && silent_sni > 0 &&
        (sni.ok() == 0 || differential_p(sni, controls, Outcome::timeout) < k_alpha)) {
        Verdict v;
        v.cause = Cause::quic_sni_block;
        v.confidence = sni.ok() == 0 ? 0.9 : 0.75;
        v.summary = fmt::format(
            "QUIC hellos naming {} are dropped while other names get through: HTTP/3 to {} is "
            "blocked by name (TCP works).",
            f.name, f.name);
        v.evidence.push_back(
            cite(evidence::quic_sni_dropped,
                 fmt::format("quic_sni {} ok ({}); controls {} ok", ratio(sni.ok(), sni.trials),
                             sni.failure_list(), ratio(controls.ok(), controls.trials))));
        v.advice.push_back(fallback_advice());
        return v;
    }
    // Protocol: no version-1 hello answered, version pings answered.
    if (sni.ok() == 0 && controls.ran() && controls.ok() == 0 && mostly(ping, ping.ok())) {
        Verdict v;
        v.cause = Cause::quic_protocol_block;
        v.confidence = 0.7;
        v.summary = fmt::format(
            "The server answers QUIC version pings, but no QUIC version-1 hello gets an answer, "
            "whatever the name: QUIC itself is blocked on the way to {} (TCP works).",
            f.name);
        v.evidence.push_back(
            cite(evidence::quic_version_ping_ok,
                 fmt::format("quic_version_ping {} ok", ratio(ping.ok(), ping.trials))));
        v.evidence.push_back(
            cite(evidence::quic_hellos_dropped,
                 fmt::format("quic_sni {} ok, controls {} ok", ratio(sni.ok(), sni.trials),
                             ratio(controls.ok(), controls.trials))));
        v.advice.push_back(fallback_advice());
        return v;
    }
    return std::nullopt;
}

}  // namespace sniprobe::verdict
