// The judged sample of analyze: a uniform sample of a stream, so a name whose flows are
// 10% resets is judged from a sample with about 10% resets, wherever in the capture they
// are, and a sample capped early by the overall limit stays uniform at the size it has.
#include "offline/reservoir.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sniprobe {
namespace {

// Runs `n` items through a reservoir of `capacity`; returns the item index in each slot.
std::vector<size_t> sample(size_t n, size_t capacity, size_t room_until = SIZE_MAX) {
    offline::Reservoir r;
    std::vector<size_t> slots;
    for (size_t i = 0; i < n; ++i) {
        auto slot = r.offer(capacity, slots.size() < room_until);
        if (!slot) continue;
        if (*slot == slots.size())
            slots.push_back(i);
        else
            slots.at(*slot) = i;
    }
    EXPECT_EQ(r.seen(), n);
    EXPECT_EQ(r.size(), slots.size());
    return slots;
}

TEST(Reservoir, KeepsEverythingWithinCapacity) {
    auto s = sample(50, 100);
    ASSERT_EQ(s.size(), 50U);
    for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i], i);
}

TEST(Reservoir, ProportionsAreThoseOfTheWholeStream) {
    // Every 10th item is a "reset"; the first 1000 items are all "completed" and come first,
    // as a first-N sample (or a first-N-per-outcome one) would read them.
    const size_t n = 100000, capacity = 1000;
    auto is_reset = [](size_t i) { return i >= 1000 && i % 10 == 0; };
    auto s = sample(n, capacity);
    ASSERT_EQ(s.size(), capacity);
    size_t resets = 0, late = 0;
    for (size_t i : s) {
        resets += is_reset(i) ? 1 : 0;
        late += i >= n / 2 ? 1 : 0;
    }
    // Binomial(1000, ~0.099): 99.99% of samples fall within 60..140.
    EXPECT_GT(resets, 60U);
    EXPECT_LT(resets, 140U);
    // Half the sample comes from the second half of the stream (400..600 by far).
    EXPECT_GT(late, 400U);
    EXPECT_LT(late, 600U);
}

TEST(Reservoir, ACappedSampleStaysUniformAtItsSize) {
    // The overall cap stops this reservoir at 200 slots of its 1000.
    auto s = sample(100000, 1000, 200);
    ASSERT_EQ(s.size(), 200U);
    size_t late = 0;
    for (size_t i : s) late += i >= 50000 ? 1 : 0;
    EXPECT_GT(late, 60U);
    EXPECT_LT(late, 140U);
}

TEST(Reservoir, TheSameStreamGivesTheSameSample) {
    EXPECT_EQ(sample(20000, 300), sample(20000, 300));
}

}  // namespace
}  // namespace sniprobe
