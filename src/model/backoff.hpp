// The back-off of a diagnose run against a busy server. Many handshakes at once from one
// client can meet the server's limit_conn, a SYN-flood guard or a small backlog: the
// server then refuses (resets, closes, leaves unanswered) the connections beyond its
// limit whatever the name, and the controls fail in a burst. diagnose then runs the plan
// again with fewer trials in flight, halving until no plain control fails,
// and judges the pass with the smallest share of failed controls (probe/backoff.hpp).
// The JSON writer prints it as `backoff`; E_SERVER_BACKOFF cites it.
#pragma once

#include <vector>

namespace sniprobe {

// Failed controls whose start times lie within this window make a burst.
inline constexpr double k_backoff_burst_window_s = 1.0;

// One pass over the whole plan.
struct BackoffPass {
    int concurrency = 0;     // trials in flight at once
    int trials = 0;          // trials that ran (TCP/TLS, not QUIC)
    int failed = 0;          // of them, failed
    int control_trials = 0;  // plain control trials (no_sni, control_sni)
    int control_failed = 0;  // of them, failed
    int burst = 0;           // most failed controls started within the burst window
};

struct Backoff {
    std::vector<BackoffPass> passes;  // the first pass, then each retry, in run order
    int kept = 0;                     // index of the pass the trials and verdict come from
};

}  // namespace sniprobe
