// Fisher's exact test, one-sided, for "the target variant fails more often than its
// controls". With ten trials per variant the chi-square approximation is useless; the
// exact hypergeometric tail is cheap and says, for instance, that 3 resets of 10 beside
// 0 of 20 controls is unlikely by chance (p ~ 0.03) while 1 of 10 is not (p ~ 0.33).
#pragma once

namespace sniprobe {

// A 2x2 table: failures and totals of the tested group and of the controls.
struct FailureTable {
    int target_failures = 0;
    int target_trials = 0;
    int control_failures = 0;
    int control_trials = 0;
};

// P(target failures >= observed) under the null that failures are spread at random
// over all trials (hypergeometric upper tail). 1.0 when the table is degenerate.
double fisher_greater(const FailureTable& table);

}  // namespace sniprobe
