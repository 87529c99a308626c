// What analysis/ derives from the trials: per-variant rates with Wilson intervals, and
// a forensic reading of every RST (or forged FIN) the capture saw. Plain data: the
// verdict rules read it, the report prints it, tests build it by hand.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/variant.hpp"

namespace sniprobe {

// A 95% confidence interval on a proportion.
struct Interval {
    double low = 0, high = 0;
};

// One variant's row in the report.
struct VariantStats {
    Variant variant = Variant::sni;
    int trials = 0;
    int ok = 0;
    double rate = 0;                      // ok / trials (0 when no trials)
    Interval ci95;                        // Wilson score interval
    std::map<std::string, int> failures;  // OONI failure string -> count
};

// Who sent an RST, as far as the packets tell.
enum class RstOrigin { injected, server, unknown };

// The forensic reading of one RST or FIN that reached us.
struct RstFinding {
    int trial_id = 0;
    int packet_index = 0;         // index in the trial's packets
    RstOrigin origin = RstOrigin::unknown;
    std::string signature;        // "gfw_type_2", "henan", "icp_filing", "unknown", ...
    uint8_t flags = 0;
    int burst_count = 1;          // RSTs in this burst
    uint8_t ttl = 0;
    std::optional<uint8_t> server_synack_ttl;
    std::optional<int> hop_difference;   // implied initial-TTL hops vs the SYN-ACK
    uint16_t ip_id = 0;
    std::string ip_id_pattern;    // "zero", "fixed", "copied", "server_sequence", "random"
    bool df = false;
    uint16_t window = 0;
    std::string seq_relation;     // "exact", "plus_1460", "plus_4380", "in_window", "outside"
    std::optional<double> delay_ms;      // after our last ClientHello byte
    std::optional<double> rtt_ms;        // our SYN -> SYN-ACK
    std::vector<std::string> reasons;    // one line each, for the report
    // A later RST/FIN of a connection an injected RST had already
    // reset: aftermath, e.g. the server's kernel answering a segment for a connection the
    // forged RST tore down at its end. Its origin is still told truthfully; it is not what
    // ended the handshake, so verdict rules should not count it as the server's doing.
    bool after_injected = false;
};

// Name of an origin for JSON and text ("injected", "server", "unknown").
inline const char* rst_origin_name(RstOrigin o) {
    switch (o) {
        case RstOrigin::injected: return "injected";
        case RstOrigin::server: return "server";
        default: return "unknown";
    }
}

// Everything analysis/ computes for one diagnosis.
struct Analysis {
    std::vector<VariantStats> variants;  // report order, only variants that ran
    std::vector<RstFinding> rsts;

    // The row for a variant, or nullptr when it did not run.
    const VariantStats* find(Variant v) const {
        for (const auto& s : variants)
            if (s.variant == v) return &s;
        return nullptr;
    }
};

}  // namespace sniprobe
