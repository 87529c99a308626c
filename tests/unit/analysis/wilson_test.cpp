// Wilson intervals against values computed independently (R: prop.test without
// continuity correction / binom::binom.wilson), including the 0/n and n/n edges.
#include "analysis/wilson.hpp"

#include <gtest/gtest.h>

namespace sniprobe {
namespace {

TEST(Wilson, OneOfTen) {
    Interval ci = wilson_interval(1, 10);
    EXPECT_NEAR(ci.low, 0.01787, 1e-4);
    EXPECT_NEAR(ci.high, 0.40415, 1e-4);
}

TEST(Wilson, NineOfTen) {
    Interval ci = wilson_interval(9, 10);
    EXPECT_NEAR(ci.low, 0.59585, 1e-4);
    EXPECT_NEAR(ci.high, 0.98213, 1e-4);
}

TEST(Wilson, ZeroAndAllAreExactAtTheEdge) {
    Interval none = wilson_interval(0, 10);
    EXPECT_DOUBLE_EQ(none.low, 0.0);
    EXPECT_NEAR(none.high, 0.27753, 1e-4);
    Interval all = wilson_interval(20, 20);
    EXPECT_NEAR(all.low, 0.83887, 1e-4);
    EXPECT_DOUBLE_EQ(all.high, 1.0);
}

TEST(Wilson, HalfIsSymmetric) {
    Interval ci = wilson_interval(50, 100);
    EXPECT_NEAR(ci.low, 0.40383, 1e-4);
    EXPECT_NEAR(ci.high, 0.59617, 1e-4);
}

TEST(Wilson, NoTrialsIsTheWholeRange) {
    Interval ci = wilson_interval(0, 0);
    EXPECT_DOUBLE_EQ(ci.low, 0.0);
    EXPECT_DOUBLE_EQ(ci.high, 1.0);
}

}  // namespace
}  // namespace sniprobe
