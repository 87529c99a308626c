// Which trial started the residual block, and the probing schedule. The quirk: under a
// residual block later target-name trials fail at the SYN (the box answers it with an
// RST) without ever sending a ClientHello, so they do not re-trigger it; the block runs
// from the LAST trial whose ClientHello reached the box and was reset. Its start is the
// moment that hello went out, not when the trial ended (a drop ends at the timeout).
#include <algorithm>

#include "residual/residual.hpp"

namespace sniprobe::residual {
namespace {

bool has_finding(const Diagnosis& d, int trial_id, RstOrigin origin) {
    return std::any_of(d.analysis.rsts.begin(), d.analysis.rsts.end(), [&](const RstFinding& f) {
        return f.trial_id == trial_id && f.origin == origin && !f.after_injected;
    });
}

// The trial was reset (or black-holed) by something on the path after its hello.
bool triggered(const Diagnosis& d, const Trial& t) {
    if (!names_target_in_hello(t.variant) || !t.hello_sent_ms || t.ok()) return false;
    if (!t.captured) return t.failure == FailureCode::connection_reset;
    if (has_finding(d, t.id, RstOrigin::injected)) return true;
    return t.failure == FailureCode::generic_timeout_error && !t.server_hello_seen &&
           !has_finding(d, t.id, RstOrigin::server);
}

}  // namespace

std::optional<Trigger> find_trigger(const Diagnosis& d) {
    std::optional<Trigger> last;
    for (const Trial& t : d.trials) {
        if (!triggered(d, t)) continue;
        const double hello_t = t.t0 + *t.hello_sent_ms / 1000.0;
        if (!last || hello_t > last->t) last = Trigger{t.id, t.address, t.port, hello_t};
    }
    return last;
}

double next_probe_delay_s(double since_trigger_s) {
    return std::clamp(since_trigger_s * 0.1, 0.5, 10.0);
}

}  // namespace sniprobe::residual
