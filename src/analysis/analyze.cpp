// analyze(): one pass per variant that ran, in report order (model/variant.cpp). A trial counts as
// ok when its failure string is empty; failures are tallied by their OONI string so the
// report can say "connection_reset 9" rather than "failed 9".
#include "analysis/analyze.hpp"

#include <bit>
#include <cstdint>

#include "analysis/rst_forensics.hpp"
#include "analysis/wilson.hpp"

namespace sniprobe {

VariantStats variant_stats(Variant variant, const std::vector<Trial>& trials) {
    VariantStats stats;
    stats.variant = variant;
    for (const Trial& trial : trials) {
        if (trial.variant != variant) continue;
        ++stats.trials;
        if (trial.ok())
            ++stats.ok;
        else
            ++stats.failures[std::string(trial.failure.text())];
    }
    stats.rate = stats.trials > 0 ? static_cast<double>(stats.ok) / stats.trials : 0.0;
    stats.ci95 = wilson_interval(stats.ok, stats.trials);
    return stats;
}

Analysis analyze(const std::vector<Trial>& trials) {
    Analysis analysis;
    // Which variants ran, in one pass: only theirs are gathered (a scan analyses every
    // target's three or four variants, out of nearly thirty), in the fixed order.
    uint64_t ran = 0;
    for (const Trial& trial : trials) {
        const auto index = static_cast<unsigned>(trial.variant);
        ran |= index < 64 ? uint64_t{1} << index : ~uint64_t{0};
    }
    analysis.variants.reserve(static_cast<size_t>(std::popcount(ran)));
    for (const auto* set : {&all_variants(), &quic_variants()})
        for (Variant variant : *set) {
            const auto index = static_cast<unsigned>(variant);
            if (index < 64 && !(ran & uint64_t{1} << index)) continue;
            VariantStats stats = variant_stats(variant, trials);
            if (stats.trials > 0) analysis.variants.push_back(std::move(stats));
        }

    // Who sent each RST/FIN (rst_forensics.cpp); trials without capture give none.
    analysis.rsts = analyze_rsts(trials);
    return analysis;
}

}  // namespace sniprobe
