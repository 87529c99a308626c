// LiveCapture: the one way sniprobe opens libpcap on a live interface, for the probe run's
// capture (CaptureSession) and for the sink's long-running capture alike. Immediate mode is
// always on (DESIGN.md §6: without it libpcap batches frames and the last ones of a run are
// lost), the BPF filter is installed before open() returns so no later frame escapes it,
// and the handle is non-blocking so an event loop can poll fd() beside its other sockets.
// A missing privilege becomes k_capture_permission_message, the one line users act on.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "capture/pcap_handle.hpp"
#include "util/result.hpp"

namespace sniprobe::capture {

// How to open a live capture.
struct LiveCaptureOptions {
    std::string interface = "any";  // "any" = every interface (cooked frames)
    std::string filter;             // BPF expression
    int snaplen_bytes = 256;
    int buffer_bytes = 4 << 20;
    int read_timeout_ms = 100;
};

// One frame as libpcap delivers it; `bytes` is valid only during the visit.
struct FrameView {
    double ts_unix = 0;              // capture time, seconds since the Unix epoch
    int link_type = 0;               // pcap DLT_* of `bytes`
    uint32_t wire_len = 0;           // original length on the wire
    std::span<const uint8_t> bytes;  // captured bytes (at most the snap length)
};

// libpcap's counters.
struct CaptureStats {
    uint64_t received = 0;           // frames that passed the filter
    uint64_t dropped_kernel = 0;     // lost for lack of buffer space
    uint64_t dropped_interface = 0;  // dropped by the interface/driver
};

class LiveCapture {
  public:
    // Opens options.interface, activates it and installs options.filter. Fails with
    // k_capture_permission_message without privileges, or with libpcap's reason.
    static Result<LiveCapture> open(const LiveCaptureOptions& options);

    // The descriptor to poll for readability (-1 once closed).
    int fd() const;
    // The pcap DLT_* of the frames.
    int link_type() const { return m_link_type; }
    // The BPF expression in use.
    const std::string& filter() const { return m_filter; }

    // Hands up to max_frames frames that are ready now (-1: all of them) to `visit`;
    // returns how many, or a negative number on a capture error.
    int dispatch(int max_frames, const std::function<void(const FrameView&)>& visit);
    // libpcap's counters so far; nullopt when it cannot tell (or once closed).
    std::optional<CaptureStats> stats() const;
    // Closes the handle.
    void close() { m_handle.reset(); }

  private:
    LiveCapture() = default;
    PcapHandle m_handle;
    int m_link_type = 0;
    std::string m_filter;
};

}  // namespace sniprobe::capture
