// `sniprobe analyze`'s pipeline: read capture files (streaming), follow their TLS flows,
// then judge every server name with the same analysis/ and verdict/ code diagnose uses.
// A name's own flows are its `sni` trials; flows with other names to the same server
// addresses are its `control_sni` trials and nameless hellos there its `no_sni` trials,
// so several names to one address give the differential diagnose probes for. TTL-limited
// hellos (CenTrace-style traces) become the name's trace. RSTs sent in the client's name
// (seen on the server side or a tap) are judged against the client's own SYN by the same
// forensics, mirrored.
#pragma once
#include <string>
#include <vector>

#include "model/offline.hpp"
#include "offline/flow_tracker.hpp"

namespace sniprobe::offline {

struct AnalyzeOptions {
    FlowLimits limits;
    size_t max_flows = 200000;       // flows kept for the report; later ones are counted only
    size_t max_non_tls_flows = 200;  // non-TLS flows kept for their RST forensics
    // The verdicts read whole trials (packets, certificate) of a bounded sample: a uniform
    // sample (reservoir, fixed seed) of judged_per_group flows of each (name, server
    // address), so rates are unbiased, at most max_judged_flows in all. The others are
    // listed (FlowList) and counted, not judged.
    size_t judged_per_group = 2048;
    size_t max_judged_flows = 16384;
    // Each (name, server address) keeps its first judged_at_least flows whatever the
    // overall cap says (memory then grows with the number of names, as their verdicts do).
    size_t judged_at_least = 4;
};

// Reads every file in order (one capture, each flow within its own file; "-" = stdin) and follows
// its flows. A file that cannot be opened is a note and an anomaly, not an error: the others still
// count. Fills files, frames, bytes, trials, flows, anomalies, notes and side.
CaptureAnalysis read_captures(const std::vector<std::string>& paths,
                              const AnalyzeOptions& options = {});

// Adds the per-name verdicts and the per-address summary to a read capture. The trials the
// verdicts read move into the names' diagnoses (copied where several names read one).
void judge_captures(CaptureAnalysis& capture);

// Which side the capture was taken on, from the TTLs of each flow's SYN and SYN-ACK.
CaptureSide capture_side(const std::vector<Trial>& trials);

// capture_side() one flow at a time, as flows end.
struct SideTally {
    int client = 0, server = 0, middle = 0;
    void add(const Trial& trial);
    CaptureSide side() const;
};

// The forensics of RSTs sent in the client's name: each trial mirrored (the client's SYN
// as the sender's baseline) and judged by analysis/'s RST forensics.
std::vector<RstFinding> client_rst_findings(const std::vector<Trial>& trials);

}  // namespace sniprobe::offline
