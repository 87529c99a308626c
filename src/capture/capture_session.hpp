// A live libpcap capture of the probes' own flows, running on its own thread from
// start() to stop(). Quirks it handles: immediate mode is on (DESIGN.md §6: without
// it libpcap batches packets and the ones near the end are lost), the snap length is
// short (headers and the first payload bytes are all forensics reads), and the BPF
// filter admits only TCP to/from the probed addresses and ports plus ICMP errors
// (trace), so a busy host does not flood the buffer. The socket and its filter are
// installed before start() returns: packets sent after it are never missed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/live_capture.hpp"
#include "util/result.hpp"

namespace sniprobe::capture {

// Whether ICMP/ICMPv6 errors (time exceeded, unreachable) are captured too.
enum class IcmpErrors { include, exclude };

// What to capture.
struct CaptureSpec {
    std::string interface = "any";              // "any" = every interface (cooked frames)
    std::vector<std::string> remote_addresses;  // IP literals probed (v4 or v6)
    std::vector<uint16_t> remote_ports;         // ports probed (443, 80, ...)
    IcmpErrors icmp = IcmpErrors::include;
    int snaplen_bytes = 256;
    int buffer_bytes = 4 << 20;
};

// One frame as libpcap delivered it (link header included).
struct CapturedPacket {
    double ts_unix = 0;          // capture time, seconds since the Unix epoch (CLOCK_REALTIME)
    int link_type = 0;           // pcap DLT_* of `frame`
    uint32_t wire_len = 0;       // original length on the wire
    std::vector<uint8_t> frame;  // captured bytes (at most snaplen)
};

// The one-line error for a capture without privileges.
inline constexpr const char* k_capture_permission_message =
    "packet capture needs root or CAP_NET_RAW; run with sudo, or pass --no-capture";

// A running capture. Move-only; the destructor stops a capture still running.
class CaptureSession {
  public:
    // Opens, filters and starts capturing on spec.interface. Fails with
    // k_capture_permission_message without privileges, or with libpcap's reason.
    static Result<CaptureSession> start(const CaptureSpec& spec);

    // Stops the capture thread, drains what the kernel still holds, returns every
    // packet in capture order. Later calls return an empty vector.
    std::vector<CapturedPacket> stop();

    // Counters as of stop() (zeros before).
    CaptureStats stats() const;
    // The BPF filter in use (for notes and --verbose).
    const std::string& filter() const;

    CaptureSession(CaptureSession&&) noexcept;
    CaptureSession& operator=(CaptureSession&&) noexcept;
    ~CaptureSession();

  private:
    struct Impl;
    explicit CaptureSession(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// The BPF filter expression for a spec (exposed for tests).
std::string build_capture_filter(const CaptureSpec& spec);

// Reads every frame of a pcap or pcapng file (fixtures, `--pcap` round trips).
Result<std::vector<CapturedPacket>> read_capture_file(const std::string& path);

}  // namespace sniprobe::capture
