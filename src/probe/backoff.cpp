// Backing off from a busy server (see backoff.hpp).
#include "probe/backoff.hpp"

#include <algorithm>

#include "probe/residual_guard.hpp"

namespace sniprobe {

BackoffPass summarize_pass(const std::vector<Trial>& trials, int concurrency) {
    BackoffPass pass;
    pass.concurrency = concurrency;
    std::vector<double> failed_controls;
    for (const Trial& t : trials) {
        if (is_quic(t.variant)) continue;
        ++pass.trials;
        pass.failed += t.ok() ? 0 : 1;
        // The plain controls only: a busy server refuses them like any other connection,
        // while a control that differs by a protocol feature (ECH, a large or split hello)
        // can fail for a box that blocks that feature for every name, with no busy server.
        if (t.variant != Variant::no_sni && t.variant != Variant::control_sni) continue;
        ++pass.control_trials;
        if (!t.ok()) failed_controls.push_back(t.t0);
    }
    pass.control_failed = static_cast<int>(failed_controls.size());
    std::sort(failed_controls.begin(), failed_controls.end());
    size_t first = 0;
    for (size_t last = 0; last < failed_controls.size(); ++last) {
        while (failed_controls[last] - failed_controls[first] > k_backoff_burst_window_s) ++first;
        pass.burst = std::max(pass.burst, static_cast<int>(last - first + 1));
    }
    return pass;
}

bool controls_failed_in_burst(const BackoffPass& pass) {
    return pass.burst >= k_burst_min_failed && pass.control_failed < pass.control_trials;
}

int BackoffPlanner::after_pass(const BackoffPass& pass) {
    m_backoff.passes.push_back(pass);
    const auto& passes = m_backoff.passes;
    const BackoffPass& kept = passes[static_cast<size_t>(m_backoff.kept)];
    // By share, not count: a retry cut short ran fewer controls.
    if (pass.control_failed * kept.control_trials < kept.control_failed * pass.control_trials)
        m_backoff.kept = static_cast<int>(passes.size() - 1);
    // A burst starts a back-off; once the server is known to refuse a client's connections
    // beyond its limit, any control still failing says the limit is not yet met.
    const bool still_failing =
        passes.size() == 1 ? controls_failed_in_burst(pass)
                           : pass.control_failed > 0 && pass.control_failed < pass.control_trials;
    // Not "while it helps": the failures at a given pace are noisy (at 16 in flight against
    // a limit of 8, 40 to 68 of 190 trials failed in runs of one lab), so halving goes on
    // while controls fail; a pass count (halving) and the caller's time budget bound it.
    if (!still_failing || pass.concurrency <= 1) return 0;
    return std::max(1, pass.concurrency / 2);
}

}  // namespace sniprobe
