// analyze(): one pass per variant in report order (model/variant.cpp). A trial counts as
// ok when its failure string is empty; failures are tallied by their OONI string so the
// report can say "connection_reset 9" rather than "failed 9".
#include "analysis/analyze.hpp"

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
    for (const auto* set : {&all_variants(), &quic_variants()})
        for (Variant variant : *set) {
            VariantStats stats = variant_stats(variant, trials);
            if (stats.trials > 0) analysis.variants.push_back(std::move(stats));
        }

    // Who sent each RST/FIN (rst_forensics.cpp); trials without capture give none.
    analysis.rsts = analyze_rsts(trials);
    return analysis;
}

}  // namespace sniprobe
