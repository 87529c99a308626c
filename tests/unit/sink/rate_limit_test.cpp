// Per-address token buckets: a burst, then the steady rate; other addresses unaffected;
// the table of addresses stays bounded.
#include "sink/rate_limit.hpp"

#include <gtest/gtest.h>

namespace sniprobe::sink {
namespace {

TEST(RateLimiter, BurstThenSteadyRate) {
    RateLimiter limiter(2, 5);
    int allowed = 0;
    for (int i = 0; i < 20; ++i) allowed += limiter.allow("192.0.2.1", 100.0) ? 1 : 0;
    EXPECT_EQ(allowed, 5);
    EXPECT_TRUE(limiter.allow("192.0.2.2", 100.0));  // another address has its own bucket
    EXPECT_FALSE(limiter.allow("192.0.2.1", 100.2));
    EXPECT_TRUE(limiter.allow("192.0.2.1", 100.6));  // 0.6 s at 2/s refilled one token
    EXPECT_FALSE(limiter.allow("192.0.2.1", 100.6));
}

TEST(RateLimiter, RemembersABoundedNumberOfAddresses) {
    RateLimiter limiter(1, 1, 100);
    for (int i = 0; i < 10000; ++i) limiter.allow("198.51.100." + std::to_string(i), i * 0.001);
    EXPECT_LE(limiter.tracked(), 100u);
}

}  // namespace
}  // namespace sniprobe::sink
