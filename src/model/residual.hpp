// Residual blocking as `diagnose --residual` measured it: after a handshake naming the
// target was reset (the trigger), how long connections to the same (client, server,
// port) tuple kept failing with an innocent name, and on how many tuple fields the block
// is keyed. Every probe uses a fresh source port, so a block keyed on all four fields
// (the triggering connection only) cannot be seen: it looks like no block at all.
// Plain data beside the Diagnosis (optional: only with --residual); residual/ fills it,
// the JSON writer prints it as `residual`, E_RESIDUAL_BLOCKING cites it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/failure.hpp"
#include "model/names.hpp"

namespace sniprobe {

// When a probe ran: while the block is being timed, or after it cleared.
enum class ResidualPhase { during, after };

// One probe of the measurement (never part of Diagnosis::trials: it would skew the rates).
struct ResidualProbe {
    double since_trigger_s = 0;  // its start, seconds after the trigger
    uint16_t port = 0;           // server port probed
    std::string protocol;        // "tls" | "http"
    std::string server_name;     // SNI (or Host) sent: the control name
    ResidualPhase phase = ResidualPhase::during;
    Failure failure;  // OONI failure; none = success
    // The server spoke: a completed handshake, a TLS alert or an HTTP answer. A port whose
    // server rejects the control name (an alert) is reachable, hence not blocked.
    bool answered = false;
};

// What the measurement found.
enum class ResidualStatus {
    no_trigger,     // no target-name trial was reset
    not_blocked,    // the first control probe passed
    cleared,        // blocked, then passed again
    still_blocked,  // blocked until --residual-max-s
    interrupted,    // Ctrl-C during the measurement
};

// The residual section of a diagnosis.
struct ResidualReport {
    ResidualStatus status = ResidualStatus::no_trigger;
    std::optional<int> trigger_trial_id;    // the last target-name trial that was reset
    std::optional<double> trigger_t;        // its ClientHello, seconds since the run started
    std::string address;                    // the tuple's server address
    uint16_t port = 0;                      // ...and server port
    std::string control_name;               // the name the probes sent
    double max_s = 0;                       // the bound (--residual-max-s)
    std::optional<double> window_s;         // first control answered after the trigger
    std::optional<double> blocked_until_s;  // last control unanswered after the trigger
    // 2: (client IP, server IP) — another port on the server was blocked too;
    // 3: (client IP, server IP, server port) — another port was open during the block;
    // nullopt: not blocked, or no other port could tell.
    std::optional<int> keyed_fields;
    std::string scope;  // one sentence: how keyed_fields was decided
    std::vector<ResidualProbe> probes;
};

}  // namespace sniprobe
