// The clocks: the wall clock agrees with the standard library's, the monotonic clock
// never goes back, its seconds and milliseconds are the same clock, and a deadline's
// remaining milliseconds never go negative.
#include "util/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace sniprobe {
namespace {

TEST(Clock, RealtimeIsSecondsSinceTheUnixEpoch) {
    const double expected =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_LT(std::abs(realtime_seconds() - expected), 1.0);
}

TEST(Clock, MonotonicNeverGoesBack) {
    double last = monotonic_seconds();
    for (int i = 0; i < 1000; ++i) {
        const double now = monotonic_seconds();
        EXPECT_GE(now, last);
        last = now;
    }
}

TEST(Clock, MillisecondsAreTheMonotonicClock) {
    const double before_s = monotonic_seconds();
    const uint64_t ms = monotonic_ms();
    const double after_s = monotonic_seconds();
    EXPECT_GE(static_cast<double>(ms), std::floor(before_s * 1000.0));
    EXPECT_LE(static_cast<double>(ms), after_s * 1000.0);
}

TEST(Clock, MsUntilCountsDownAndStopsAtZero) {
    const auto now = std::chrono::steady_clock::now();
    const int left = ms_until(now + std::chrono::seconds(10));
    EXPECT_GT(left, 9'000);
    EXPECT_LE(left, 10'000);
    EXPECT_EQ(ms_until(now - std::chrono::seconds(1)), 0);
}

}  // namespace
}  // namespace sniprobe
