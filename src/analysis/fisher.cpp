// Hypergeometric upper tail in log space (lgamma), so tables of a few thousand trials
// (scan) do not overflow. Inputs are clamped: a count above its total is a caller bug
// that must not yield a p-value outside [0, 1].
#include "analysis/fisher.hpp"

#include <algorithm>
#include <cmath>

namespace sniprobe {
namespace {

double log_choose(int n, int k) {
    return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}

}  // namespace

double fisher_greater(const FailureTable& table) {
    const int n_target = std::max(0, table.target_trials);
    const int n_control = std::max(0, table.control_trials);
    const int a = std::clamp(table.target_failures, 0, n_target);
    const int c = std::clamp(table.control_failures, 0, n_control);
    const int total = n_target + n_control;
    const int failures = a + c;
    if (n_target == 0 || n_control == 0 || failures == 0) return 1.0;

    // X = failures among the target's trials, X ~ Hypergeometric(total, failures, n_target).
    const int x_max = std::min(failures, n_target);
    const double log_denominator = log_choose(total, n_target);
    double p = 0.0;
    for (int x = a; x <= x_max; ++x) {
        if (failures - x > n_control) continue;
        p += std::exp(log_choose(failures, x) + log_choose(total - failures, n_target - x) -
                      log_denominator);
    }
    return std::clamp(p, 0.0, 1.0);
}

}  // namespace sniprobe
