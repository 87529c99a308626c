// What analysis/ derives from the trials: per-variant rates with Wilson intervals, and
// a forensic reading of every RST (or forged FIN) the capture saw. Plain data: the
// verdict rules read it, the report prints it, tests build it by hand.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/names.hpp"
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

// Which known injector's fingerprint an RST matches (analysis/signatures.hpp), or the
// server's own stack, or none of them.
enum class RstSignatureId {
    gfw_type_1,
    gfw_type_2,
    gfw_type_3,
    gfw_legacy,
    henan,
    icp_filing,
    airtel,
    server_stack,
    unknown
};

// How an RST's IP ID relates to the connection's other packets (none: IPv6 has no IP ID).
enum class IpIdPattern { none, zero, fixed, copied, server_sequence, random };

// Where an RST's sequence number lies against the server's next one (unknown: no SYN-ACK).
enum class SeqRelation { unknown, exact, plus_1460, plus_4380, in_window, outside };

// The forensic reading of one RST or FIN that reached us.
struct RstFinding {
    int trial_id = 0;
    int packet_index = 0;  // index in the trial's packets
    RstOrigin origin = RstOrigin::unknown;
    std::optional<RstSignatureId> signature;  // nullopt: not judged (JSON null)
    uint8_t flags = 0;
    int burst_count = 1;  // RSTs in this burst
    uint8_t ttl = 0;
    std::optional<uint8_t> server_synack_ttl;
    std::optional<int> hop_difference;  // implied initial-TTL hops vs the SYN-ACK
    uint16_t ip_id = 0;
    std::optional<IpIdPattern> ip_id_pattern;
    bool df = false;
    uint16_t window = 0;
    std::optional<SeqRelation> seq_relation;
    std::optional<double> delay_ms;    // after our last ClientHello byte
    std::optional<double> rtt_ms;      // our SYN -> SYN-ACK
    std::vector<std::string> reasons;  // one line each, for the report
    // A later RST/FIN of a connection an injected RST had already
    // reset: aftermath, e.g. the server's kernel answering a segment for a connection the
    // forged RST tore down at its end. Its origin is still told truthfully; it is not what
    // ended the handshake, so verdict rules should not count it as the server's doing.
    bool after_injected = false;
};

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
