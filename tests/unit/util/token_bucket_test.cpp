// The token bucket: starts with what it was given, refills at the rate up to the capacity,
// hands out whole tokens only, says how long until the next one, and takes back unused ones.
#include "util/token_bucket.hpp"

#include <gtest/gtest.h>

namespace sniprobe {
namespace {

TEST(TokenBucket, StartsWithTheGivenTokensAndRefillsAtTheRate) {
    TokenBucket bucket(/*rate_per_s=*/2, /*capacity=*/3, /*tokens=*/1, /*start_s=*/10.0);
    EXPECT_TRUE(bucket.try_take(10.0));
    EXPECT_FALSE(bucket.try_take(10.0));
    EXPECT_FALSE(bucket.try_take(10.4));  // 0.8 of a token
    EXPECT_TRUE(bucket.try_take(10.5));   // 1.0
    EXPECT_DOUBLE_EQ(bucket.last_s(), 10.5);
}

TEST(TokenBucket, NeverHoldsMoreThanItsCapacity) {
    TokenBucket bucket(100, 3, 0, 0.0);
    int taken = 0;
    for (int i = 0; i < 10; ++i) taken += bucket.try_take(60.0) ? 1 : 0;
    EXPECT_EQ(taken, 3);
}

TEST(TokenBucket, WaitIsTheTimeToTheNextWholeToken) {
    TokenBucket bucket(4, 1, 0, 0.0);
    EXPECT_FALSE(bucket.try_take(0.0));
    EXPECT_DOUBLE_EQ(bucket.wait_s(), 0.25);
    EXPECT_FALSE(bucket.try_take(0.125));
    EXPECT_DOUBLE_EQ(bucket.wait_s(), 0.125);
    EXPECT_TRUE(bucket.try_take(0.25));
}

TEST(TokenBucket, GivenBackTokenCanBeTakenAgain) {
    TokenBucket bucket(1, 1, 1, 0.0);
    ASSERT_TRUE(bucket.try_take(0.0));
    bucket.give_back();
    EXPECT_EQ(bucket.wait_s(), 0.0);
    EXPECT_TRUE(bucket.try_take(0.0));
    EXPECT_FALSE(bucket.try_take(0.0));
}

TEST(TokenBucket, ClockGoingBackwardsAddsNothing) {
    TokenBucket bucket(1, 5, 1, 100.0);
    ASSERT_TRUE(bucket.try_take(100.0));
    EXPECT_FALSE(bucket.try_take(50.0));
    EXPECT_FALSE(bucket.try_take(50.5));  // counted from 50.0 now: half a token
    EXPECT_TRUE(bucket.try_take(51.0));
}

}  // namespace
}  // namespace sniprobe
