// One scanned target's result: judged with the same verdict rules as diagnose (a small
// Diagnosis of the target's sni trials beside the shared control trials of its address,
// so scan and diagnose cannot disagree on the same evidence), then written as one JSON
// Lines record. Lines are compact and self-contained (host, ip, port, failures, counts
// per variant, verdict) so `jq`, `grep` and --resume can read them one at a time.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "model/diagnosis.hpp"
#include "scan/targets.hpp"

namespace sniprobe::scan {

// The facts behind one output line.
struct ScanRecord {
    ScanTarget target;
    std::string ip;           // probed (or "" when DNS failed)
    std::string dns_failure;  // OONI DNS failure when the name had no address
    std::string control_sni;
    // sni, then the controls (no_sni, control_sni); with --quic also quic_sni and the
    // QUIC controls (quic_no_sni, quic_control, quic_version_ping)
    std::vector<VariantStats> variants;
    std::string tls_version;  // from the first successful sni (TCP) trial
    Verdict verdict;
    double t = 0;  // seconds since the scan started
};

// Builds the Diagnosis the verdict rules read: the target's trials (moved in; pass a copy
// to keep them) plus its address's control trials (copied, they are shared), the probed
// address as the only resolution.
Diagnosis build_diagnosis(const ScanTarget& target, const std::string& ip,
                          const std::string& dns_failure, const std::string& control_sni,
                          std::vector<Trial> target_trials,
                          const std::vector<Trial>& control_trials);

// Judges a target: analysis + decide() over build_diagnosis(). The verdict's evidence
// carries ids only where the texts would cost formatting (DecideOptions::evidence_text):
// the line prints ids.
ScanRecord judge_target(const ScanTarget& target, const std::string& ip,
                        const std::string& dns_failure, const std::string& control_sni,
                        std::vector<Trial> target_trials, const std::vector<Trial>& control_trials);

// The record as one JSON line (no newline), built as an nlohmann tree: the definition of
// the line's format (docs/json.md), and what write_record must match byte for byte.
std::string record_json(const ScanRecord& record);

// Writes the record as one JSON line (newline included): record_json's bytes, written
// without building the tree.
void write_record(std::ostream& out, const ScanRecord& record);

}  // namespace sniprobe::scan
