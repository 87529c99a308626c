// The residual guard (see residual_guard.hpp). The quirk: under a residual block the
// later trials fail at the SYN (refused, reset or unanswered) and never send a hello, so
// the trigger is the earliest target hello that failed, and "after it" is by the later
// trial's start, not its end: a control that connected before the trigger still passes.
#include "probe/residual_guard.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <set>
#include <utility>

namespace sniprobe {
namespace {

std::string tuple_key(const std::string& address, uint16_t port) {
    return address + " " + std::to_string(port);
}

bool reached(const Trial& t) {
    return t.ok() || t.server_hello_seen || !t.alert_received.empty();
}

bool failed_at_connect(const Trial& t) {
    return !t.ok() && (t.failed_operation == FailedOperation::connect || !t.connect_ms);
}

}  // namespace

size_t move_baseline_first(std::vector<PlannedTrial>& plan) {
    std::set<std::pair<Variant, std::string>> taken;
    std::vector<PlannedTrial> baseline, rest;
    for (PlannedTrial& p : plan) {
        if (is_control_tls(p.variant) && taken.insert({p.variant, p.address}).second)
            baseline.push_back(std::move(p));
        else
            rest.push_back(std::move(p));
    }
    const size_t count = baseline.size();
    plan = std::move(baseline);
    plan.insert(plan.end(), std::make_move_iterator(rest.begin()),
                std::make_move_iterator(rest.end()));
    for (size_t i = 0; i < plan.size(); ++i) plan[i].id = static_cast<int>(i);
    return count;
}

ResidualGuard::ResidualGuard(size_t baseline, int stop_after)
    : m_baseline(baseline), m_stop_after(stop_after), m_baseline_left(baseline) {}

Admit ResidualGuard::admit(const PlannedTrial& next) const {
    if (static_cast<size_t>(next.id) < m_baseline) return Admit::start;
    if (m_stopped) return Admit::stop;
    return m_baseline_left > 0 ? Admit::later : Admit::start;
}

void ResidualGuard::on_done(const Trial& t) {
    if (static_cast<size_t>(t.id) < m_baseline) {
        if (m_baseline_left > 0) --m_baseline_left;
        m_baseline_reached += reached(t) ? 1 : 0;
    }
    if (is_http_variant(t.variant)) return;
    const std::string key = tuple_key(t.address, t.port);
    Tuple& tuple = m_tuples[key];
    if (names_target_in_hello(t.variant) && t.hello_sent_ms && t.connect_ms && !reached(t)) {
        const double hello_t = t.t0 + *t.hello_sent_ms / 1000.0;
        if (!tuple.trigger_t || hello_t < *tuple.trigger_t) tuple.trigger_t = hello_t;
    }
    tuple.seen.push_back({t.t0, is_control_tls(t.variant), failed_at_connect(t), reached(t)});
    evaluate(key, tuple);
}

void ResidualGuard::evaluate(const std::string& key, const Tuple& tuple) {
    if (m_stopped || m_baseline_reached == 0 || !tuple.trigger_t) return;
    int failed = 0, controls = 0;
    for (const Seen& s : tuple.seen) {
        if (s.t0 <= *tuple.trigger_t) continue;
        if (s.reached || !s.connect_failed) return;  // something got through: no block
        ++failed;
        controls += s.control ? 1 : 0;
    }
    if (failed < m_stop_after || controls == 0) return;
    m_stopped = true;
    m_note = fmt::format(
        "residual: after a hello naming the target failed, the next {} connections to {} failed "
        "at connect ({} of them controls), although the baseline controls had passed: the run "
        "stopped there, the remaining trials would only have measured the block",
        failed, key.substr(0, key.find(' ')) + " port " + key.substr(key.find(' ') + 1), controls);
}

}  // namespace sniprobe
