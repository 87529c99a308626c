// Turns captured frames into each trial's evidence: a frame belongs to the trial whose
// (local port, remote address, remote port) it carries, and — because the kernel may
// reuse a source port later in a run — to the latest such trial that had started when
// the frame was seen. ICMP errors are matched by the TCP ports they quote.
// Malformed frames are counted as named anomalies and skipped, never trusted.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "capture/capture_session.hpp"
#include "model/trial.hpp"

namespace sniprobe::wire {
struct TcpPacket;
}

namespace sniprobe::capture {

// What attach_packets did with the frames.
struct AttachStats {
    int attached = 0;                      // TCP packets and ICMP errors given to a trial
    int unmatched = 0;                     // well-formed, but no trial's flow
    int loopback_echoes = 0;               // outgoing loopback copies skipped (seen again inbound)
    std::map<std::string, int> anomalies;  // anomaly name -> count ("truncated_link_header", ...)

    // One line per anomaly kind, for Diagnosis::anomalies ("capture: 2 frames bad_tcp_offset").
    std::vector<std::string> anomaly_lines() const;
};

// Assigns packets to trials, converts them to PacketRecords (t relative to
// run_start_unix), sorts each trial's packets by time and sets Trial::captured on every
// trial (capture ran: an empty packet list is then evidence too).
AttachStats attach_packets(std::vector<Trial>& trials, const std::vector<CapturedPacket>& packets,
                           double run_start_unix);

// One decoded TCP packet as forensics reads it.
PacketRecord to_packet_record(const wire::TcpPacket& packet, Direction direction, double t);

}  // namespace sniprobe::capture
