// The QUIC variants of diagnose (model/variant.hpp): one batch of UDP probes
// (quic/exchange.hpp) turned into Trials. The quirk it owns is time: a censor that reads
// the SNI of the first Initial of a flow (the GFW since 2024) often lets the triggering
// Initial through and then drops the flow's 3- or 4-tuple for minutes, so "did the
// server answer?" alone misses it. Every first-flight probe (target name, no name,
// control name, version ping, and the ECH twins of the named ones: the same hello plus a
// GREASE ECH extension, which the others never carry) therefore starts at once from its
// own fresh port, before any block can take effect, and the follow-ups come after: the
// control name from the source port of a quic_sni trigger (the same 4-tuple) and from a
// fresh port (the same 3-tuple), at +1 s and +3 s.
#pragma once

#include <vector>

#include "model/diagnosis.hpp"
#include "model/trial.hpp"
#include "quic/exchange.hpp"

namespace sniprobe {

struct QuicTrialOptions {
    std::vector<Variant> variants = quic_variants();
    int trials_per_variant = 5;  // first-flight variants
    int timeout_ms = 3000;       // per probe
    int concurrency = 64;        // probes in flight
    // Follow-ups after the first delay run only when the first one of their kind got no
    // answer: they confirm a block, and cost nothing on a clean path.
    std::vector<int> followup_ms{1000, 3000};  // after the run starts
    int followup_triggers = 2;                 // quic_sni trials that get follow-ups
    double run_start_unix = 0;                 // CLOCK_REALTIME of the run's start (Trial::t0 base)
};

// Describes one QUIC probe's result in the Trial's terms (outcome, failure, timings
// relative to the probe's first datagram); `trial` already holds variant, address, port,
// name. scan --quic plans its own batches and uses this to read them the same way.
void describe_quic_result(const quic::ProbeResult& result, Trial& trial);

// Runs the QUIC variants against the first address of `resolution` on target.port; trial
// ids start at `first_id`. Variants that need a name are skipped for an IP literal.
std::vector<Trial> run_quic_trials(const Target& target, const Resolution& resolution,
                                   const QuicTrialOptions& options, int first_id);

}  // namespace sniprobe
