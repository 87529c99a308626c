// The 95% Wilson score interval on a proportion (ok / trials). Interference is
// probabilistic (a box may trigger on 3 of 10 handshakes), so every rate is reported
// with its interval; Wilson, unlike the normal approximation, stays inside [0, 1] and
// is honest at 0/n and n/n, which are the common cases here.
#pragma once

#include "model/analysis.hpp"

namespace sniprobe {

// z for a two-sided 95% interval.
inline constexpr double k_z95 = 1.959964;

// Wilson score interval for `successes` of `trials`; {0, 1} when trials == 0.
Interval wilson_interval(int successes, int trials, double z = k_z95);

}  // namespace sniprobe
