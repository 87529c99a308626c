// The verdict: exactly one cause from DESIGN.md §4's fixed taxonomy, how sure we are,
// and the evidence behind it. Cause strings and evidence ids are stable: never renamed,
// never reused.
#pragma once

#include <string>
#include <vector>

namespace sniprobe {

// Verdict causes (DESIGN.md §4). Only these strings may appear in verdict.cause.
namespace cause {
inline constexpr const char* ok = "ok";
inline constexpr const char* sni_reset = "sni_reset";
inline constexpr const char* sni_drop = "sni_drop";
inline constexpr const char* sni_close = "sni_close";
inline constexpr const char* http_host_block = "http_host_block";
inline constexpr const char* tcp_unreachable = "tcp_unreachable";
inline constexpr const char* server_reset = "server_reset";
inline constexpr const char* tls_alert = "tls_alert";
inline constexpr const char* certificate = "certificate";
inline constexpr const char* path_mtu = "path_mtu";
inline constexpr const char* dns = "dns";
inline constexpr const char* inconclusive = "inconclusive";
}  // namespace cause

// One fact behind the verdict: a stable id and one line a user can read.
struct Evidence {
    std::string id;      // e.g. "E_SNI_RESET_RATE"
    std::string text;
};

struct Verdict {
    std::string cause = cause::inconclusive;
    std::string subcode;           // certificate: expired, name_mismatch, chain_incomplete, untrusted, self_signed
    double confidence = 0;         // 0..1
    std::string summary;           // one sentence
    std::vector<Evidence> evidence;
    std::vector<std::string> advice;
};

}  // namespace sniprobe
