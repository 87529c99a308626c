// The verdict: exactly one cause from DESIGN.md §4's fixed taxonomy, how sure we are,
// and the evidence behind it. Cause names (model/names.cpp) and evidence ids are stable:
// never renamed, never reused.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/cert_problem.hpp"
#include "model/names.hpp"

namespace sniprobe {

// Verdict causes (DESIGN.md §4); their stable names are in names.cpp.
enum class Cause {
    ok,
    sni_reset,
    sni_drop,
    sni_close,
    http_host_block,
    tcp_unreachable,
    server_reset,
    tls_alert,
    certificate,
    path_mtu,
    dns,
    inconclusive,
    quic_sni_block,       // TCP works; QUIC hellos naming the target vanish, controls answer
    quic_residual_block,  // TCP works; after a QUIC hello naming the target, the tuple drops
    quic_protocol_block,  // TCP works; QUIC servers answer version pings, no QUIC hello answered
    ech_block,            // hellos naming the target with ECH vanish; without ECH, or with the
                          // control name and ECH, they pass (the name and ECH together)
    ech_protocol_block,   // hellos with ECH vanish whatever the name; without ECH they pass
};

// One fact behind the verdict: a stable id and one line a user can read.
struct Evidence {
    std::string id;  // e.g. "E_SNI_RESET_RATE"
    std::string text;
};

struct Verdict {
    Cause cause = Cause::inconclusive;
    // certificate: expired, name_mismatch, chain_incomplete, untrusted or self_signed
    std::optional<CertProblem> subcode;
    double confidence = 0;  // 0..1
    std::string summary;    // one sentence
    std::vector<Evidence> evidence;
    std::vector<std::string> advice;
};

}  // namespace sniprobe
