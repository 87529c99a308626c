// Wilson score interval: centre (p + z^2/2n) / (1 + z^2/n), half-width
// z * sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n). Clamped to [0, 1] against rounding.
#include "analysis/wilson.hpp"

#include <algorithm>
#include <cmath>

namespace sniprobe {

Interval wilson_interval(int successes, int trials, double z) {
    if (trials <= 0) return {0.0, 1.0};
    successes = std::clamp(successes, 0, trials);
    const double n = trials;
    const double p = successes / n;
    const double z2 = z * z;
    const double denominator = 1.0 + z2 / n;
    const double centre = (p + z2 / (2.0 * n)) / denominator;
    const double half = z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator;
    Interval ci{std::max(0.0, centre - half), std::min(1.0, centre + half)};
    // Exact ends at 0/n and n/n (the formula gives them up to rounding).
    if (successes == 0) ci.low = 0.0;
    if (successes == trials) ci.high = 1.0;
    return ci;
}

}  // namespace sniprobe
