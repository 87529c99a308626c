// What the residual measurement adds to the verdict: E_RESIDUAL_BLOCKING with the
// measured window and scope when a block was seen, or a note saying why nothing was
// measured. It never changes the cause or the confidence: the block is a property of
// the box the verdict already blamed, and a measured "not blocked" says nothing against
// it (many boxes have no residual block at all, the seed lab's among them).
#include <fmt/core.h>

#include "residual/residual.hpp"
#include "verdict/evidence_ids.hpp"

namespace sniprobe::residual {
namespace {

std::string tuple_text(const ResidualReport& r) {
    return fmt::format("{} to {}:{}", r.control_name, r.address, r.port);
}

std::string keyed_text(const ResidualReport& r) {
    if (!r.keyed_fields) return r.scope;
    return fmt::format("keyed on {} fields ({})", *r.keyed_fields, r.scope);
}

}  // namespace

void cite(Diagnosis& d) {
    if (!d.residual) return;
    const ResidualReport& r = *d.residual;
    const std::string trigger =
        r.trigger_trial_id ? fmt::format("trial {} (the target name, reset at t={:.2f}s)",
                                         *r.trigger_trial_id, r.trigger_t.value_or(0))
                           : std::string();
    const EvidenceId& id = evidence::residual_blocking;
    if (r.status == ResidualStatus::cleared) {
        d.verdict.evidence.push_back(
            {id.id, fmt::format("measured: after {} the control {} kept failing on fresh source "
                                "ports for {:.1f} s and passed again {:.1f} s after the trigger; {}",
                                trigger, tuple_text(r), r.blocked_until_s.value_or(0),
                                r.window_s.value_or(0), keyed_text(r))});
    } else if (r.status == ResidualStatus::still_blocked) {
        d.verdict.evidence.push_back(
            {id.id, fmt::format("measured: after {} the control {} still failed at the "
                                "--residual-max-s bound of {:.0f} s (last probe {:.1f} s after "
                                "the trigger); {}",
                                trigger, tuple_text(r), r.max_s, r.blocked_until_s.value_or(0),
                                keyed_text(r))});
    } else if (r.status == ResidualStatus::not_blocked) {
        const double first = r.probes.empty() ? 0 : r.probes.front().since_trigger_s;
        d.notes.push_back(fmt::format(
            "residual: after {} the control {} passed {:.1f} s later: {}", trigger, tuple_text(r),
            first, r.scope));
    } else if (r.status == ResidualStatus::interrupted) {
        d.notes.push_back("residual: the measurement was interrupted before the block cleared");
    } else {
        d.notes.push_back(
            "residual: no handshake naming the target was reset, so there was no trigger to time "
            "a residual block from");
    }
}

}  // namespace sniprobe::residual
