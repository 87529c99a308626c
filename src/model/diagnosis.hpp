// A whole diagnosis, as the report renders it: the target, what DNS said, every trial,
// the analysis, the optional trace, and the verdict. This is the JSON contract's root
// (DESIGN.md §5, docs/json.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/analysis.hpp"
#include "model/backoff.hpp"
#include "model/residual.hpp"
#include "model/sink.hpp"
#include "model/trial.hpp"
#include "model/verdict.hpp"

namespace sniprobe {

inline constexpr int k_schema_version = 1;

// What the user asked for.
struct Target {
    std::string input;  // as typed
    std::string host;   // ASCII (punycode) host name, or the IP literal
    std::string sni;    // the server_name sent (empty for an IP literal)
    uint16_t port = 443;
    std::string control_sni;
    std::optional<std::string> forced_ip;  // --ip
};

// One address the name resolved to (or --ip).
struct AddressInfo {
    std::string address;
    std::string family;  // "ipv4" | "ipv6"
    std::string source;  // "dns" | "cli"
};

// DNS result for the target name.
struct Resolution {
    std::vector<AddressInfo> addresses;
    std::string failure;                     // OONI DNS failure ("dns_nxdomain_error", ...) or ""
    std::vector<std::string> dns_addresses;  // what DNS said even when --ip was given
};

// One hop of a trace.
struct TraceHop {
    int ttl = 0;
    std::string router;   // ICMP time-exceeded source, "" when none came
    std::string outcome;  // "time_exceeded", "rst", "server_hello", "timeout", ...
    std::string control_outcome;
};

struct TraceResult {
    std::optional<int> middlebox_hop;
    std::string middlebox_router;
    std::string placement;  // "on_path" | "in_path" | ""
    std::vector<TraceHop> hops;
};

// The verdict on one address family alone, when the run probed both (a dual-stack name
// can be blocked on one family and fine on the other; the overall verdict mixes them).
struct FamilyVerdict {
    std::string family;                  // "ipv4" | "ipv6"
    std::vector<std::string> addresses;  // the family's probed addresses
    int trials = 0;                      // trials to those addresses
    Verdict verdict;                     // decide() over those trials alone
};

struct Diagnosis {
    Target target;
    Resolution resolution;
    std::vector<Trial> trials;
    Analysis analysis;
    std::optional<TraceResult> trace;
    std::optional<SinkReport> sink;          // diagnose --sink: the server's side
    std::optional<ResidualReport> residual;  // diagnose --residual: the block after a trigger
    std::optional<Backoff> backoff;          // the passes when a busy server made it back off
    Verdict verdict;
    std::vector<FamilyVerdict> families;  // only when both families were probed
    std::vector<std::string> anomalies;   // named anomalies (malformed packets, ...)
    std::vector<std::string> notes;       // e.g. "capture disabled: not root"
    double duration_s = 0;
};

}  // namespace sniprobe
