// The scan pipeline: targets stream in, each gets a few ClientHello probes with its name,
// each address (ip, port, control name) gets one shared set of control probes (no SNI and
// an unrelated name), and a target is judged — by diagnose's verdict rules — as soon as
// its own trials and its address's controls are in. All of it runs on the probe engine's
// single event loop (run_trial_stream). The quirks: memory must not grow with the input,
// so only a bounded window of targets is in flight and the trials of finished targets
// are dropped at once; and controls are probed once per address, not once per name,
// so 1,000 names on one server cost 3,000 + 20 connections, not 6,000. And a server is
// not a load test: connections to one address are capped (per_address), because an
// overloaded server closes or drops handshakes for every name alike, which turns the
// controls into failures and, worse, could make innocent names look blocked.
//
// QUIC (--quic): the input is taken in chunks; each chunk runs its TCP stream as above,
// then its QUIC probes (quic/exchange.hpp) in batches, and only then are its targets
// judged and written, with both kinds of trials in one record. A batch sends all its
// first flights within a few tens of milliseconds (at most `concurrency` probes,
// `per_address` to one address), each from a fresh source port, in rounds that
// interleave names and controls, with its own controls for every address in it: a censor
// that drops a flow's 3-tuple for minutes after a QUIC hello names a listed site (the GFW)
// would otherwise swallow the probes of innocent names queued behind that hello. Probed
// in every batch, the controls fall silent too when such a block lingers from an earlier
// batch, so the rules see "QUIC to this server fails" and blame no name. diagnose's
// follow-ups at +1 s and +3 s (the residual-block test) are not run: they would hold each
// batch 3 s longer; `sniprobe diagnose --quic` a name the scan flags to get them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "probe/plan.hpp"
#include "scan/record.hpp"
#include "scan/targets.hpp"

namespace sniprobe::scan {

// Everything that shapes a scan.
struct ScanOptions {
    int trials = 3;           // probes with the target name, per target
    int control_trials = 10;  // per control variant (no_sni, control_sni), per address
    int timeout_ms = 4000;    // per probe
    int concurrency = 512;    // connections in flight at once
    int per_address = 64;     // ...of which to one address (ip, port) at most
    double rate = 0;          // new connections per second; 0 = no pacing
    HandshakeDepth depth = HandshakeDepth::server_hello;  // complete = --full
    std::string control_sni;        // "" = default_control_sni() of each target
    size_t window_targets = 0;      // targets in flight at most; 0 = derived from concurrency
    int resolve_timeout_ms = 3000;  // names without an address are resolved (blocking)
    std::string ca_file;            // for the engine's trust store (unused by handshake probes)
    // ClientHello probes (depth server_hello) send forged hellos of this shape, no SSL
    // object; nullopt = OpenSSL's own hello.
    std::optional<forge::Shape> hello_shape = forge::Shape::openssl;
    // --quic: QUIC Initial probes beside the TCP ones (see "QUIC" above): quic_sni per
    // target (`trials` of them) and, per address and batch, quic_control, quic_no_sni and
    // quic_version_ping (quic_control_trials of each); timeout_ms per probe.
    bool quic = false;
    int quic_control_trials = 3;
    size_t quic_chunk_targets = 0;  // targets per TCP-then-QUIC chunk; 0 = the window
};

// Hands out the next target, or nullopt at the end of the input.
using TargetSource = std::function<std::optional<ScanTarget>()>;
// Receives each judged target (in completion order, not input order).
using RecordSink = std::function<void(const ScanRecord&)>;

// What a scan did.
struct ScanStats {
    long targets = 0;                // records emitted
    long trials = 0;                 // probes finished (targets and controls)
    long control_sets = 0;           // addresses whose controls were probed
    long quic_batches = 0;           // --quic: QUIC batches run
    long max_targets_in_flight = 0;  // the window's high-water mark
    long max_address_in_flight = 0;  // most connections to one address at once
    bool interrupted = false;        // stopped by a signal: targets in flight were dropped
    double elapsed_s = 0;
    std::map<std::string, long> causes;  // verdict.cause -> targets
};

// The window used for `options` (targets in flight at most).
size_t window_for(const ScanOptions& options);

// Runs the scan to the end of the input (or an interrupt). Throws a Fatal like the engine.
ScanStats run_scan(const TargetSource& next_target, const ScanOptions& options,
                   const RecordSink& on_record);

}  // namespace sniprobe::scan
