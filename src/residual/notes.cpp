// What the residual measurement adds to the notes: why nothing was measured (no trigger,
// an interrupted run) or that the control passed. The measured block itself is
// evidence, built by the verdict from d.residual (verdict/rules_residual.cpp); it never
// changes the cause or the confidence: the block is a property of the box the verdict
// already blamed, and a measured "not blocked" says nothing against it (many boxes have
// no residual block at all, the seed lab's among them).
#include <fmt/core.h>

#include "residual/residual.hpp"

namespace sniprobe::residual {
namespace {

std::string tuple_text(const ResidualReport& r) {
    return fmt::format("{} to {}:{}", r.control_name, r.address, r.port);
}

}  // namespace

void add_notes(Diagnosis& d) {
    if (!d.residual) return;
    const ResidualReport& r = *d.residual;
    const std::string trigger = r.trigger_trial_id
                                    ? fmt::format("trial {} (the target name, reset at t={:.2f}s)",
                                                  *r.trigger_trial_id, r.trigger_t.value_or(0))
                                    : std::string();
    switch (r.status) {
        case ResidualStatus::cleared:
        case ResidualStatus::still_blocked:
            return;  // evidence, not a note
        case ResidualStatus::not_blocked: {
            const double first = r.probes.empty() ? 0 : r.probes.front().since_trigger_s;
            d.notes.push_back(
                fmt::format("residual: after {} the control {} passed {:.1f} s later: {}", trigger,
                            tuple_text(r), first, r.scope));
            return;
        }
        case ResidualStatus::interrupted:
            d.notes.push_back("residual: the measurement was interrupted before the block cleared");
            return;
        case ResidualStatus::no_trigger:
            d.notes.push_back(
                "residual: no handshake naming the target was reset, so there was no trigger to "
                "time a residual block from");
            return;
    }
}

}  // namespace sniprobe::residual
