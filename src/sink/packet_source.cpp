// Per-frame decoding for the sink's capture (see packet_source.hpp); opening libpcap is
// capture::LiveCapture's job. Frames on "any" arrive with a cooked header; the outgoing
// copy of a loopback packet is skipped (the incoming one is counted). Malformed frames are
// counted, never trusted.
#include "sink/packet_source.hpp"

#include <fmt/format.h>

#include "capture/capture_session.hpp"
#include "capture/link_frame.hpp"
#include "capture/live_capture.hpp"
#include "sink/connection_table.hpp"
#include "wire/packet.hpp"

namespace sniprobe::sink {

namespace {

constexpr int k_buffer_bytes = 4 << 20;
constexpr int k_read_timeout_ms = 100;
constexpr int k_max_dispatch_rounds = 64;
constexpr int k_frames_per_round = 256;

}  // namespace

struct PacketSource::Impl {
    explicit Impl(capture::LiveCapture live) : capture(std::move(live)) {}

    capture::LiveCapture capture;
    SourceCounters counters;

    // Decodes one frame and feeds it to the table; anything else is counted.
    void take(const capture::FrameView& frame, ConnectionTable& table) {
        ++counters.frames;
        auto link = capture::decode_link_frame(frame.link_type, frame.bytes);
        if (link.anomaly == capture::FrameAnomaly::loopback_echo) {
            ++counters.loopback_echoes;
            return;
        }
        if (link.anomaly != capture::FrameAnomaly::none) {
            ++counters.malformed;
            return;
        }
        auto parsed = wire::decode_tcp_packet(link.ip_packet);
        if (!parsed.packet) {
            ++counters.malformed;
            return;
        }
        ++counters.decoded;
        table.observe(*parsed.packet, frame.ts_unix);
    }
};

std::string sink_filter(const std::vector<uint16_t>& ports) {
    std::string expr = "tcp and (";
    for (size_t i = 0; i < ports.size(); ++i)
        expr += fmt::format("{}port {}", i == 0 ? "" : " or ", ports[i]);
    return expr + ")";
}

Result<PacketSource> PacketSource::open(const std::string& interface,
                                        const std::vector<uint16_t>& ports, int snaplen_bytes) {
    capture::LiveCaptureOptions options;
    options.interface = interface;
    options.filter = sink_filter(ports);
    options.snaplen_bytes = snaplen_bytes;
    options.buffer_bytes = k_buffer_bytes;
    options.read_timeout_ms = k_read_timeout_ms;
    auto live = capture::LiveCapture::open(options);
    if (!live) return tl::unexpected(live.error());
    return PacketSource(std::make_unique<Impl>(std::move(*live)));
}

PacketSource::PacketSource(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PacketSource::PacketSource(PacketSource&&) noexcept = default;
PacketSource& PacketSource::operator=(PacketSource&&) noexcept = default;
PacketSource::~PacketSource() = default;

int PacketSource::fd() const {
    return m_impl->capture.fd();
}

bool PacketSource::dispatch(ConnectionTable& table) {
    Impl& impl = *m_impl;
    // Bounded rounds: a busy link must not starve the query sockets.
    for (int round = 0; round < k_max_dispatch_rounds; ++round) {
        int n = impl.capture.dispatch(
            k_frames_per_round,
            [&impl, &table](const capture::FrameView& frame) { impl.take(frame, table); });
        if (n < 0) return false;
        if (n == 0) break;
    }
    if (auto stats = impl.capture.stats()) impl.counters.dropped_kernel = stats->dropped_kernel;
    return true;
}

const std::string& PacketSource::filter() const {
    return m_impl->capture.filter();
}
SourceCounters PacketSource::counters() const {
    return m_impl->counters;
}

}  // namespace sniprobe::sink
