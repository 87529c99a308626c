// The sink's own live capture: a capture::LiveCapture on one interface ("any" by
// default) with a BPF filter on the watched TCP ports, in immediate and non-blocking mode
// so the sink's single event loop can poll its descriptor beside the query sockets.
// Unlike capture::CaptureSession (which keeps every frame of a short probe run), it hands
// each frame straight to the connection table and keeps nothing: the sink runs for days.
// The snap length is long enough for a ClientHello's first segment (the SNI).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace sniprobe::sink {

class ConnectionTable;

// Frames seen, and what became of them.
struct SourceCounters {
    uint64_t frames = 0;
    uint64_t decoded = 0;
    uint64_t malformed = 0;  // link or IP/TCP anomalies (logged in aggregate)
    uint64_t loopback_echoes = 0;
    uint64_t dropped_kernel = 0;  // pcap_stats at the last read
};

class PacketSource {
  public:
    // Opens and filters the capture. Fails with the capture permission message without
    // CAP_NET_RAW, or with libpcap's reason.
    static Result<PacketSource> open(const std::string& interface,
                                     const std::vector<uint16_t>& ports, int snaplen_bytes = 2048);

    // The descriptor to poll for readability.
    int fd() const;

    // Feeds every frame ready now into the table; returns false on a capture error.
    bool dispatch(ConnectionTable& table);

    // The BPF expression in use.
    const std::string& filter() const;
    SourceCounters counters() const;

    PacketSource(PacketSource&&) noexcept;
    PacketSource& operator=(PacketSource&&) noexcept;
    ~PacketSource();

  private:
    struct Impl;
    explicit PacketSource(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// "tcp and (port 443 or port 8443)" for the watched ports.
std::string sink_filter(const std::vector<uint16_t>& ports);

}  // namespace sniprobe::sink
