// Follows every TCP flow of a capture, one frame at a time, and hands each finished flow
// on as a Trial (the same record diagnose builds from its own probes, so analysis/ and
// verdict/ judge it unchanged) plus the flow's facts (SNI, hello shape, how it ended,
// frame numbers). Memory is bounded: only open flows hold state, each keeps at most
// FlowLimits' packets and stream bytes (only the clear-text start of each direction), all
// open flows together at most max_retained_bytes, and a flow is handed on once it has
// been closed (RST, both FINs) for a while or idle for long, by capture time.
//
// Quirks a real capture has and this handles: retransmissions (a stream takes each byte
// once, by sequence number), frames captured twice (dropped, counted), a source port
// reused for a new connection (a new SYN with another ISN starts a new flow), an RST
// captured before the segment that provoked it (the flow is judged as a whole when it
// ends, not packet by packet), a snap length that cuts the ClientHello (the SNI is still
// read when its bytes are there), and captures that start mid-connection (no SYN: the
// side that sent the ClientHello, or that uses the TLS port, is the server's peer).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "model/offline.hpp"
#include "offline/capture_reader.hpp"

namespace sniprobe::offline {

struct FlowLimits {
    size_t max_packets = 24;  // PacketRecords kept per flow (RSTs and FINs always, up to 2x)
    // Bytes of each direction's stream kept for TLS parsing. A stream stops taking bytes
    // as soon as its clear text is over (a ChangeCipherSpec, application data, a fatal or
    // encrypted alert, or bytes that are not TLS records), so this caps only the hello and
    // the server's first flight (certificates included).
    size_t max_stream_bytes = 16384;
    double closed_linger_s = 10;     // a closed flow still takes late packets this long
    double idle_s = 600;             // a flow with no packet for this long is finished
    size_t max_open_flows = 100000;  // beyond this, the oldest flows are finished early
    // Everything open flows hold (packets, stream bytes, out-of-order segments); beyond
    // it, the flows quiet the longest are finished early (anomaly "memory_limit").
    size_t max_retained_bytes = size_t{48} << 20;
};

// What the tracker holds right now and at most so far.
struct TrackerStats {
    size_t open_flows = 0, retained_bytes = 0;
    size_t peak_open_flows = 0, peak_retained_bytes = 0;
};

// One finished flow.
struct FinishedFlow {
    Trial trial;      // id left 0: the receiver numbers trials
    FlowFacts facts;  // trial_id left 0 likewise
};

class FlowTracker {
  public:
    using Sink = std::function<void(FinishedFlow&&)>;
    explicit FlowTracker(Sink sink, FlowLimits limits = {});
    FlowTracker(const FlowTracker&) = delete;
    FlowTracker& operator=(const FlowTracker&) = delete;
    ~FlowTracker();

    // The file the next frames come from (named in each flow's facts).
    void begin_file(const std::string& name);
    // One frame of link type `link_type` (pcap DLT_*).
    void add(const Frame& frame, int link_type);
    // Finishes every open flow (end of input).
    void finish();
    // Named anomalies so far (frame decoding, duplicates, limits) -> count.
    const std::map<std::string, int>& anomalies() const;
    // Open flows and the bytes they hold (bounded by FlowLimits).
    TrackerStats stats() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Ports on which a flow is followed as TLS even before a ClientHello is seen.
bool is_tls_port(uint16_t port);

}  // namespace sniprobe::offline
