// The analysis stage: turns the trials of one run into per-variant rates with 95%
// Wilson intervals and failure counts (report order), plus the forensic reading of
// every RST the capture saw. Rates, not single attempts: DPI boxes trigger on a
// fraction of handshakes, so a single success proves nothing either way.
#pragma once

#include <vector>

#include "model/analysis.hpp"
#include "model/trial.hpp"

namespace sniprobe {

// Per-variant statistics (report order, only variants with trials) and RST findings.
Analysis analyze(const std::vector<Trial>& trials);

// The statistics row of one variant over `trials` (trials of other variants ignored).
VariantStats variant_stats(Variant variant, const std::vector<Trial>& trials);

}  // namespace sniprobe
