// Residual blocking (`diagnose --residual`): some injectors (the GFW: 90-180 s) keep
// blocking the (client, server, port) tuple after one handshake naming the target was
// reset, whatever name the next connection sends. This stage times that window from the
// last triggered trial of the run: it probes the same address and port with the CONTROL
// name, on a fresh source port each time, at 0.5 s steps backing off to 10% of the time
// elapsed, until one passes or --residual-max-s; and it tells the tuple's scope by
// probing another port on the same server during the block (blocked too -> keyed on 2
// fields, open -> 3). A block keyed on all 4 fields (only the triggering connection's own
// source port) is invisible to fresh-port probes and reads as "not blocked".
//
// The measurement is plain functions over probe results: the loop takes its probes,
// clock and waits from a ProbeWorld, so tests drive it with a simulated middlebox.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/diagnosis.hpp"
#include "probe/plan.hpp"

namespace sniprobe::residual {

// The trial after which the tuple is timed: the LAST target-name trial whose ClientHello
// went out and that was reset (injected forensics, or a plain reset without capture).
struct Trigger {
    int trial_id = 0;
    std::string address;
    uint16_t port = 0;
    double t = 0;  // its ClientHello was sent, seconds since the run started
};

// Finds the trigger in a finished run, or nullopt when no target-name trial qualifies.
// Captured trials qualify with an injected (not after_injected) RST/FIN finding, or a
// timeout with nothing from the server; uncaptured ones with connection_reset.
std::optional<Trigger> find_trigger(const Diagnosis& d);

// Seconds to wait before the next control probe, given the time since the trigger:
// 0.5 s for the first 5 s, then 10% of the elapsed time, at most 10 s.
double next_probe_delay_s(double since_trigger_s);

// What the measurement may send besides the tuple itself.
struct MeasureOptions {
    double max_s = 200;  // stop timing this long after the trigger
    std::vector<uint16_t> other_tls_ports{
        443, 8443};              // scope probes (TLS, control SNI); the tuple's own port is skipped
    uint16_t http_port = 80;     // scope probe (plain HTTP, Host: control); 0 = none
    int max_probe_rounds = 400;  // hard bound on rounds, whatever the clock says
};

// The outside world of the measurement (live_world() is the real one).
struct ProbeWorld {
    // Runs these trials at once; returns the finished ones (fewer on interrupt). Trial t0
    // values are seconds since the run started, on the same clock as `now_s`.
    std::function<std::vector<Trial>(const std::vector<PlannedTrial>&)> run;
    // Seconds since the run started.
    std::function<double()> now_s;
    // Waits this long; false when interrupted.
    std::function<bool(double seconds)> wait;
    // Optional: told the time since the trigger after each probe round (progress display).
    std::function<void(double since_trigger_s)> on_round;
};

// Times the residual block after the trigger and finds its scope. Bounded by
// options.max_s (since the trigger) and options.max_probe_rounds.
ResidualReport measure(const Diagnosis& d, const MeasureOptions& options, const ProbeWorld& world);

// Decides keyed_fields and scope from the probes and the ports known to have answered
// before the trigger (filled into `report`). Exposed for tests.
void decide_scope(ResidualReport& report, const std::vector<uint16_t>& open_before_trigger);

// The real world: probes through the engine with `probe`'s settings (run_start_unix
// sets the clock), waits that end early on Ctrl-C.
ProbeWorld live_world(const ProbeOptions& probe);

// Appends a note when the measurement found no block or could not run (a measured
// block is evidence: decide() cites it from d.residual). No-op without d.residual.
void add_notes(Diagnosis& d);

}  // namespace sniprobe::residual
