// Backing off from a busy server (model/backoff.hpp). The quirk: a server that refuses a
// client's connections beyond N at once fails controls and target alike, in bursts while
// many are in flight; retrying only the failed trials until they pass would also wash out
// a box that drops a share of the target's hellos at random. So a back-off re-runs the
// whole plan, unbiased, with half as many in flight, and keeps the pass whose controls
// failed least (the first on a tie: a residual block, which fails every retry too, keeps
// the run as it was).
#pragma once

#include <vector>

#include "model/backoff.hpp"
#include "model/trial.hpp"

namespace sniprobe {

// Retries stop once they have taken this many times the first pass's time and at least
// k_backoff_min_budget_s (a lossy path that is not busy would otherwise retry down to one
// in flight; a busy server refuses fast, so its first pass may take a fraction of a second).
inline constexpr double k_backoff_time_factor = 3.0;
inline constexpr double k_backoff_min_budget_s = 30.0;

// This many failed controls within the window are a burst.
inline constexpr int k_burst_min_failed = 3;

// The pass's figures (TCP/TLS trials; QUIC and plain HTTP are not counted as controls).
BackoffPass summarize_pass(const std::vector<Trial>& trials, int concurrency);

// True when the pass calls for a back-off: controls failed in a burst while some control
// passed (the server answers, just not everyone at once; a dead path fails them all).
bool controls_failed_in_burst(const BackoffPass& pass);

// Decides the passes of a run: after each pass, whether to run another and with how
// many in flight; at the end, which pass to keep.
class BackoffPlanner {
  public:
    // Records a finished pass; returns the concurrency of the next pass, or 0 for none:
    // none when the first pass had no burst, when a retry had no failed control (or only
    // failed ones: a block, not a busy server), or at one in flight.
    int after_pass(const BackoffPass& pass);
    // The passes and the one kept (the smallest share of failed controls, the first on a
    // tie).
    const Backoff& backoff() const { return m_backoff; }
    bool backed_off() const { return m_backoff.passes.size() > 1; }

  private:
    Backoff m_backoff;
};

}  // namespace sniprobe
