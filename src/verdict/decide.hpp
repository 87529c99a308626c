// The verdict stage: exactly one cause from DESIGN.md §4 for a diagnosis, with a
// confidence, a one-sentence summary, evidence with stable ids (evidence_ids.hpp) and
// advice. It reads recorded observations only (trials and their analysis, and when
// present the trace, the sink's view and the residual measurement), never a socket, so
// every rule is testable from hand-built fixtures. The whole verdict is assembled here:
// callers that learn more (a trace, the sink, a residual measurement) store it in the
// Diagnosis and call decide() again.
#pragma once

#include "model/diagnosis.hpp"
#include "model/verdict.hpp"

namespace sniprobe {

struct DecideOptions {
    // False when the caller shows evidence ids only (a scan line): the common rules then
    // leave Evidence::text empty rather than format it. Cause, confidence, summary,
    // evidence ids and advice are the same either way.
    bool evidence_text = true;
};

// Judges a diagnosis (target, resolution, trials, analysis, optional trace, sink, residual).
// d.verdict is ignored; the caller stores the result there.
Verdict decide(const Diagnosis& d, const DecideOptions& options = {});

// One verdict per address family when the trials went to both IPv4 and IPv6 addresses
// (each judged on its own trials and their analysis); empty otherwise.
std::vector<FamilyVerdict> decide_per_family(const Diagnosis& d);

}  // namespace sniprobe
