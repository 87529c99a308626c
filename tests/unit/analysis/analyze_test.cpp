// analyze(): rows in report order, only for variants that ran, failures by OONI string.
#include "analysis/analyze.hpp"

#include <gtest/gtest.h>

namespace sniprobe {
namespace {

Trial make_trial(int id, Variant v, std::string failure) {
    Trial t;
    t.id = id;
    t.variant = v;
    t.failure = std::move(failure);
    return t;
}

TEST(Analyze, RowsInReportOrderWithCounts) {
    std::vector<Trial> trials;
    int id = 0;
    // Shuffled like a real plan: controls before and after the target.
    for (int i = 0; i < 3; ++i) trials.push_back(make_trial(id++, Variant::control_sni, ""));
    for (int i = 0; i < 9; ++i) trials.push_back(make_trial(id++, Variant::sni, "connection_reset"));
    trials.push_back(make_trial(id++, Variant::sni, ""));
    trials.push_back(make_trial(id++, Variant::no_sni, ""));
    trials.push_back(make_trial(id++, Variant::no_sni, "generic_timeout_error"));

    Analysis a = analyze(trials);
    ASSERT_EQ(a.variants.size(), 3u);
    EXPECT_EQ(a.variants[0].variant, Variant::sni);
    EXPECT_EQ(a.variants[1].variant, Variant::no_sni);
    EXPECT_EQ(a.variants[2].variant, Variant::control_sni);

    const VariantStats* sni = a.find(Variant::sni);
    ASSERT_NE(sni, nullptr);
    EXPECT_EQ(sni->trials, 10);
    EXPECT_EQ(sni->ok, 1);
    EXPECT_DOUBLE_EQ(sni->rate, 0.1);
    EXPECT_EQ(sni->failures.at("connection_reset"), 9);
    EXPECT_NEAR(sni->ci95.low, 0.01787, 1e-4);

    const VariantStats* no_sni = a.find(Variant::no_sni);
    ASSERT_NE(no_sni, nullptr);
    EXPECT_EQ(no_sni->ok, 1);
    EXPECT_EQ(no_sni->failures.at("generic_timeout_error"), 1);
    EXPECT_EQ(a.find(Variant::full_verify), nullptr);
}

TEST(Analyze, EmptyRunHasNoRows) {
    Analysis a = analyze({});
    EXPECT_TRUE(a.variants.empty());
    EXPECT_TRUE(a.rsts.empty());
}

}  // namespace
}  // namespace sniprobe
