// `trace`: where on the path does the interference sit? For TTL 1, 2, ... a fresh TCP
// connection is made at the normal TTL (so the handshake itself reaches the server),
// then the ClientHello is sent with the socket's TTL lowered: it dies at hop TTL, whose
// router answers with ICMP time exceeded. A DPI box at hop k or before it sees the hello
// once TTL >= k and resets it; a control name (probed first at each TTL) shows what an
// innocent hello draws at the same TTL. The middlebox hop is the first TTL at which the
// target name draws interference and the control does not. Each TTL is repeated (>= 3)
// because boxes trigger probabilistically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/diagnosis.hpp"
#include "util/result.hpp"

namespace sniprobe::trace {

// What to trace.
struct TraceOptions {
    std::string address;  // IP literal
    uint16_t port = 443;
    std::string target_name;   // the SNI under test
    std::string control_name;  // an innocent SNI to the same address
    int max_ttl = 16;
    int repetitions = 3;  // per TTL and name (at least 1)
    int wait_ms = 1000;   // per probe: how long to wait for any answer
    int connect_timeout_ms = 3000;
};

// Which name a probe sent.
enum class NameRole { target, control };

// What one TTL-limited ClientHello drew.
struct TraceObservation {
    int ttl = 0;
    NameRole role = NameRole::target;
    int repetition = 0;
    // "time_exceeded", "rst", "fin", "server_hello", "alert", "data", "unreachable",
    // "timeout", or "connect_failed" (the normal-TTL handshake itself failed)
    std::string outcome;
    std::string router;  // source of the ICMP error that answered, "" when none
};

// Runs the sweep (needs CAP_NET_RAW for the raw ICMP socket). Stops after the TTL at
// which the control reaches the server, at max_ttl, or on Ctrl-C. `observations`, when
// given, receives every probe's result.
Result<TraceResult> run_trace(const TraceOptions& options,
                              std::vector<TraceObservation>* observations = nullptr);

// Folds observations into hops (majority outcome per TTL and name), the middlebox hop and
// its router, and the placement: "on_path" when hellos past the box still reach later
// routers, "in_path" when the box swallows them, "" when the packets cannot tell.
TraceResult summarize_trace(const std::vector<TraceObservation>& observations);

}  // namespace sniprobe::trace
