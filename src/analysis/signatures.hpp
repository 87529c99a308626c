// The table of known RST injectors' fingerprints, seeded from public measurements
// (shared/reference/injector-fingerprints.md: "A Wall Behind A Wall", S&P 2025; INTANG,
// IMC 2017; a field report on cloud ICP-filing enforcement). A fingerprint is only a
// name for what the packets show: a `distinctive` one (a payload, an IP ID range, a
// burst of three identical RST+ACKs) is itself evidence of injection; a `suggestive`
// one (e.g. a lone RST with IP ID 0 and no DF, which a non-Linux server could send too)
// only names packets that other evidence already marks as not the server's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/analysis.hpp"

namespace sniprobe::analysis {

// How much a match alone says about who sent the packet.
enum class SignatureStrength { distinctive, suggestive };

// The packet traits a signature is matched against (one RST of a burst).
struct RstTraits {
    uint8_t flags = 0;  // tcp_flag bits
    int burst_count = 1;
    bool identical_burst = false;  // every RST of the burst has the same TTL, IP ID, window, seq
    uint8_t ttl = 0;
    uint16_t ip_id = 0;
    uint16_t window = 0;  // raw TCP window field
    bool ipv4 = true;
    bool df = false;
    SeqRelation seq_relation = SeqRelation::unknown;
    uint16_t payload_len = 0;
    std::vector<uint8_t> payload_head;
};

// One known injector. Unset optional fields are not checked.
struct RstSignature {
    RstSignatureId id = RstSignatureId::unknown;  // its stable name: to_name(id)
    std::string_view description;                 // one line, with its source
    SignatureStrength strength = SignatureStrength::suggestive;
    uint8_t flags = 0;  // exact tcp_flag bits (RST or RST+ACK)
    std::optional<int> burst_count;
    bool needs_identical_burst = false;
    std::optional<uint16_t> ip_id_min, ip_id_max;  // IPv4 only
    std::optional<bool> df;
    std::optional<uint8_t> ttl_min, ttl_max;
    std::optional<uint16_t> window;               // exact raw window field
    std::optional<std::vector<uint8_t>> payload;  // exact payload; empty = none
    std::vector<SeqRelation> seq_relations;       // any of these; empty = not checked
};

// Every known signature, distinctive ones first.
const std::vector<RstSignature>& rst_signatures();

// The first signature the traits match, or nullptr.
const RstSignature* match_rst_signature(const RstTraits& traits);

}  // namespace sniprobe::analysis
