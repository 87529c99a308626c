// Joins what the server's side recorded (`sniprobe sink`) with our own trials, as plain
// functions over data. A record belongs to a trial by its 4-tuple (our address and
// source port, the server's port) at the trial's time; behind a NAT the port (and the
// address) change but the client's initial sequence number survives, so the ISN from
// our own capture is the second key; without capture, time plus the SNI the server
// received is the last resort. Then each matched trial gets one finding — the story of
// DESIGN.md §1 told from both ends: an RST reached the server that we never sent (two-
// sided injection), RSTs reached only us, the ClientHello never arrived, the answer
// never came back, or the server's own host sent the reset.
#pragma once

#include <string>
#include <vector>

#include "model/sink.hpp"
#include "model/trial.hpp"
#include "sink/connection_table.hpp"

namespace sniprobe::sink {

// What correlation needs besides the two lists.
struct CorrelationContext {
    double run_start_unix = 0;   // trials' t0/t are relative to this
    std::string local_address;   // our source address ("" when unknown)
    double clock_slack_s = 2.0;  // tolerated clock difference between us and the sink
};

// Matches trials to records and gives each matched trial its finding.
SinkReport correlate_trials(const std::vector<Trial>& trials,
                            const std::vector<ConnectionRecord>& records,
                            const CorrelationContext& context);

// Whether an RST that reached the server was one we never sent: its TTL differs from
// our SYN's, or (same TTL) our capture saw no RST with its sequence number leave.
bool rst_not_sent_by_us(const TcpEvent& rst, const ConnectionRecord& record, const Trial& trial);

}  // namespace sniprobe::sink
