// Fisher's exact test (one-sided, "target fails more") against hand-computed
// hypergeometric tails (the sums are written out beside each case).
#include "analysis/fisher.hpp"

#include <gtest/gtest.h>

namespace sniprobe {
namespace {

TEST(Fisher, ThreeOfTenVersusNoneOfTwentyIsSignificant) {
    // C(27,7) / C(30,10) = 888030 / 30045015
    EXPECT_NEAR(fisher_greater({3, 10, 0, 20}), 888030.0 / 30045015.0, 1e-9);
    EXPECT_LT(fisher_greater({3, 10, 0, 20}), 0.05);
}

TEST(Fisher, OneOfTenIsNotEnough) {
    // 1 - C(29,10)/C(30,10) = 1 - 20/30
    EXPECT_NEAR(fisher_greater({1, 10, 0, 20}), 1.0 / 3.0, 1e-9);
}

TEST(Fisher, TwoOfTenIsNotEnoughEither) {
    // C(28,8)/C(30,10) = 3108105 / 30045015
    EXPECT_NEAR(fisher_greater({2, 10, 0, 20}), 3108105.0 / 30045015.0, 1e-9);
}

TEST(Fisher, SeedScenarioIsOverwhelming) {
    // 9 of 10 vs 0 of 20: C(21,1)/C(30,10) = 21/30045015
    EXPECT_NEAR(fisher_greater({9, 10, 0, 20}), 21.0 / 30045015.0, 1e-12);
}

TEST(Fisher, ControlsWithSomeFailures) {
    // 8 of 10 vs 1 of 6: [C(9,8)C(7,2) + C(9,9)C(7,1)] / C(16,10) = 196 / 8008
    EXPECT_NEAR(fisher_greater({8, 10, 1, 6}), 196.0 / 8008.0, 1e-12);
}

TEST(Fisher, EqualFailureIsNotSignificant) {
    EXPECT_GT(fisher_greater({10, 10, 20, 20}), 0.99);
    EXPECT_GT(fisher_greater({5, 10, 10, 20}), 0.3);
}

TEST(Fisher, DegenerateTablesGiveOne) {
    EXPECT_DOUBLE_EQ(fisher_greater({0, 10, 0, 20}), 1.0);
    EXPECT_DOUBLE_EQ(fisher_greater({3, 10, 0, 0}), 1.0);
    EXPECT_DOUBLE_EQ(fisher_greater({0, 0, 3, 10}), 1.0);
}

TEST(Fisher, ClampsImpossibleCounts) {
    double p = fisher_greater({15, 10, -1, 20});
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
}

}  // namespace
}  // namespace sniprobe
