// The injector table and its matcher. Values are the ranges published for each
// injector; TTLs are only constrained where the study saw one fixed value class (GFW
// type III at 248: an initial TTL of 255), since a TTL otherwise depends on where the
// prober stands.
#include "analysis/signatures.hpp"

#include <algorithm>

#include "model/packet.hpp"

namespace sniprobe::analysis {

namespace {

constexpr uint8_t k_rst = tcp_flag::rst;
constexpr uint8_t k_rst_ack = tcp_flag::rst | tcp_flag::ack;

RstSignature make(RstSignatureId id, std::string_view description, SignatureStrength strength,
                  uint8_t flags) {
    RstSignature s;
    s.id = id;
    s.description = description;
    s.strength = strength;
    s.flags = flags;
    return s;
}

std::vector<RstSignature> build_table() {
    std::vector<RstSignature> t;
    {
        RstSignature s =
            make(RstSignatureId::henan,
                 "Henan regional firewall: one RST+ACK, IP ID 1, no DF, payload 01..09 00 "
                 "(S&P 2025, A Wall Behind A Wall)",
                 SignatureStrength::distinctive, k_rst_ack);
        s.burst_count = 1;
        s.ip_id_min = s.ip_id_max = 0x0001;
        s.df = false;
        s.payload = std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
        t.push_back(s);
    }
    {
        RstSignature s = make(RstSignatureId::gfw_type_2,
                              "GFW type II: three identical RST+ACKs, IP ID 163-65119, DF "
                              "(S&P 2025, A Wall Behind A Wall)",
                              SignatureStrength::distinctive, k_rst_ack);
        s.burst_count = 3;
        s.needs_identical_burst = true;
        s.ip_id_min = 163;
        s.ip_id_max = 65119;
        s.df = true;
        s.payload = std::vector<uint8_t>{};
        t.push_back(s);
    }
    {
        RstSignature s = make(RstSignatureId::gfw_type_3,
                              "GFW type III: one RST+ACK, IP ID 0x9916-0x9933, no DF, TTL from 255 "
                              "(S&P 2025, A Wall Behind A Wall)",
                              SignatureStrength::distinctive, k_rst_ack);
        s.burst_count = 1;
        s.ip_id_min = 0x9916;
        s.ip_id_max = 0x9933;
        s.df = false;
        s.ttl_min = 129;
        s.ttl_max = 255;
        s.payload = std::vector<uint8_t>{};
        t.push_back(s);
    }
    {
        RstSignature s = make(RstSignatureId::gfw_legacy,
                              "older GFW: RST+ACKs at sequence X+1460 / X+4380 to cover the window "
                              "(INTANG, IMC 2017)",
                              SignatureStrength::distinctive, k_rst_ack);
        s.seq_relations = {SeqRelation::plus_1460, SeqRelation::plus_4380};
        t.push_back(s);
    }
    {
        // The report saw TTL 102; like the other TTLs here it depends on where the
        // prober stood, so only the ID is the fingerprint (the seed lab's box forges it
        // with TTL 53).
        RstSignature s =
            make(RstSignatureId::icp_filing,
                 "cloud ICP-filing enforcement load balancer: IP ID 31415 (TTL 102 in the "
                 "single field report)",
                 SignatureStrength::suggestive, 0);
        s.ip_id_min = s.ip_id_max = 31415;
        t.push_back(s);
    }
    {
        RstSignature s = make(RstSignatureId::airtel,
                              "Airtel India: RST+ACK with a raw window of 16, no DF, a fixed IP ID "
                              "(Tripwire's \"WIN=16\" signature, censorship-detection)",
                              SignatureStrength::distinctive, k_rst_ack);
        s.window = 16;
        s.df = false;
        s.payload = std::vector<uint8_t>{};
        t.push_back(s);
    }
    {
        RstSignature s = make(RstSignatureId::gfw_type_1,
                              "GFW type I: one RST (no ACK), IP ID 0, no DF, no payload "
                              "(S&P 2025, A Wall Behind A Wall)",
                              SignatureStrength::suggestive, k_rst);
        s.burst_count = 1;
        s.ip_id_min = s.ip_id_max = 0;
        s.df = false;
        s.payload = std::vector<uint8_t>{};
        t.push_back(s);
    }
    return t;
}

bool payload_matches(const RstTraits& traits, const std::vector<uint8_t>& expected) {
    if (traits.payload_len != expected.size()) return false;
    size_t known = std::min(traits.payload_head.size(), expected.size());
    return std::equal(expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(known),
                      traits.payload_head.begin());
}

bool matches(const RstSignature& s, const RstTraits& traits) {
    if (s.flags != 0 && traits.flags != s.flags) return false;
    if (s.burst_count && traits.burst_count != *s.burst_count) return false;
    if (s.needs_identical_burst && !traits.identical_burst) return false;
    if (s.ip_id_min || s.ip_id_max || s.df) {
        if (!traits.ipv4) return false;
        if (s.ip_id_min && traits.ip_id < *s.ip_id_min) return false;
        if (s.ip_id_max && traits.ip_id > *s.ip_id_max) return false;
        if (s.df && traits.df != *s.df) return false;
    }
    if (s.ttl_min && traits.ttl < *s.ttl_min) return false;
    if (s.ttl_max && traits.ttl > *s.ttl_max) return false;
    if (s.window && traits.window != *s.window) return false;
    if (s.payload && !payload_matches(traits, *s.payload)) return false;
    if (!s.seq_relations.empty() && std::find(s.seq_relations.begin(), s.seq_relations.end(),
                                              traits.seq_relation) == s.seq_relations.end())
        return false;
    return true;
}

}  // namespace

const std::vector<RstSignature>& rst_signatures() {
    static const std::vector<RstSignature> table = build_table();
    return table;
}

const RstSignature* match_rst_signature(const RstTraits& traits) {
    for (const auto& s : rst_signatures())
        if (matches(s, traits)) return &s;
    return nullptr;
}

}  // namespace sniprobe::analysis
