// plan_trials: interleaved shuffled rounds, names per variant, address spreading,
// reproducibility from the seed, and skipping name variants for IP-literal targets.
#include "probe/plan.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "resolve/target.hpp"

namespace sniprobe {
namespace {

Resolution two_addresses() {
    Resolution r;
    r.addresses = {{"10.77.3.2", "ipv4", "dns"}, {"fd77:3::2", "ipv6", "dns"}};
    return r;
}

TEST(Plan, EveryRoundHoldsEachVariantOnce) {
    auto target = parse_target("blocked.test", 443).value();
    ProbeOptions o;
    o.trials_per_variant = 5;
    auto plan = plan_trials(target, two_addresses(), o);
    size_t n = all_variants().size();
    ASSERT_EQ(plan.size(), 5 * n);
    for (size_t round = 0; round < 5; ++round) {
        std::set<Variant> seen;
        for (size_t i = 0; i < n; ++i) {
            const auto& p = plan[round * n + i];
            EXPECT_EQ(p.id, static_cast<int>(round * n + i));
            seen.insert(p.variant);
        }
        EXPECT_EQ(seen.size(), n);
    }
    // Shuffled: the rounds are not all in the same order.
    bool differs = false;
    for (size_t i = 0; i < n; ++i)
        differs |=
            plan[i].variant != plan[n + i].variant || plan[i].variant != plan[2 * n + i].variant;
    EXPECT_TRUE(differs);
}

TEST(Plan, NamesPortsAndAddressesPerVariant) {
    auto target = parse_target("blocked.test:8443", 443).value();
    ProbeOptions o;
    o.trials_per_variant = 2;
    o.max_addresses = 2;
    auto plan = plan_trials(target, two_addresses(), o);
    std::map<Variant, std::set<std::string>> addresses;
    for (const auto& p : plan) {
        addresses[p.variant].insert(p.address);
        switch (p.variant) {
            case Variant::no_sni:
                EXPECT_EQ(p.server_name, "");
                break;
            case Variant::control_sni:
            case Variant::control_split_tcp:
            case Variant::control_large:
            case Variant::control_chrome:
            case Variant::control_firefox:
            case Variant::control_ech:
            case Variant::control_http:
                EXPECT_EQ(p.server_name, "example.com");
                break;
            case Variant::sni_case:
                EXPECT_EQ(p.server_name, "BlOcKeD.tEsT");
                break;
            default:
                EXPECT_EQ(p.server_name, "blocked.test");
                break;
        }
        EXPECT_EQ(p.port, is_http_variant(p.variant) ? 80 : 8443);
    }
    for (const auto& [variant, set] : addresses) EXPECT_EQ(set.size(), 2u) << variant_name(variant);
}

TEST(Plan, SameSeedSamePlan) {
    auto target = parse_target("blocked.test", 443).value();
    ProbeOptions o;
    o.seed = 42;
    auto a = plan_trials(target, two_addresses(), o);
    auto b = plan_trials(target, two_addresses(), o);
    o.seed = 43;
    auto c = plan_trials(target, two_addresses(), o);
    ASSERT_EQ(a.size(), b.size());
    bool same = true, same_as_c = true;
    for (size_t i = 0; i < a.size(); ++i) {
        same &= a[i].variant == b[i].variant;
        same_as_c &= a[i].variant == c[i].variant;
    }
    EXPECT_TRUE(same);
    EXPECT_FALSE(same_as_c);
}

TEST(Plan, IpLiteralTargetSkipsNameVariants) {
    auto target = parse_target("[2001:db8::1]:443", 443).value();
    auto plan =
        plan_trials(target, Resolution{{{"2001:db8::1", "ipv6", "cli"}}, "", {}}, ProbeOptions{});
    std::set<Variant> variants;
    for (const auto& p : plan) {
        variants.insert(p.variant);
        if (p.variant == Variant::http_host) {
            EXPECT_EQ(p.server_name, "[2001:db8::1]");
        }
    }
    EXPECT_EQ(variants,
              (std::set<Variant>{Variant::no_sni, Variant::control_sni, Variant::control_split_tcp,
                                 Variant::http_host, Variant::full_verify, Variant::control_large,
                                 Variant::control_chrome, Variant::control_firefox,
                                 Variant::control_ech, Variant::control_http}));
}

TEST(Plan, NoAddressNoPlan) {
    auto target = parse_target("blocked.test", 443).value();
    EXPECT_TRUE(plan_trials(target, Resolution{}, ProbeOptions{}).empty());
}

}  // namespace
}  // namespace sniprobe
