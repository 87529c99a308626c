// The probe run's capture: a LiveCapture (live_capture.hpp) with a short snap length and
// a BPF filter on the probed flows, then a thread that polls its descriptor beside an
// eventfd used to stop it. On stop the thread is joined and one last non-blocking dispatch
// drains frames the kernel already holds, so the RST that ended the last trial is kept.
#include "capture/capture_session.hpp"

#include <fmt/format.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/eventfd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "capture/pcap_handle.hpp"
#include "util/fd.hpp"

namespace sniprobe::capture {

namespace {

constexpr int k_poll_interval_ms = 100;
constexpr int k_max_drain_rounds = 1000;

CapturedPacket to_captured_packet(const FrameView& frame) {
    CapturedPacket packet;
    packet.ts_unix = frame.ts_unix;
    packet.link_type = frame.link_type;
    packet.wire_len = frame.wire_len;
    packet.frame.assign(frame.bytes.begin(), frame.bytes.end());
    return packet;
}

}  // namespace

struct CaptureSession::Impl {
    explicit Impl(LiveCapture live) : capture(std::move(live)) {}

    LiveCapture capture;
    Fd stop_event;
    std::vector<CapturedPacket> packets;
    CaptureStats stats;
    std::thread worker;
    bool stopped = false;

    // Delivers every frame ready now; returns how many (0 when none, <0 on error).
    int dispatch() {
        return capture.dispatch(
            -1, [this](const FrameView& frame) { packets.push_back(to_captured_packet(frame)); });
    }

    void run() {
        pollfd fds[2] = {{capture.fd(), POLLIN, 0}, {stop_event.get(), POLLIN, 0}};
        for (;;) {
            int ready = ::poll(fds, 2, k_poll_interval_ms);
            if (ready < 0 && errno != EINTR) return;
            if (fds[1].revents != 0) return;
            if (dispatch() < 0) return;
        }
    }
};

std::string build_capture_filter(const CaptureSpec& spec) {
    std::string hosts, ports;
    for (const auto& a : spec.remote_addresses)
        hosts += fmt::format("{}host {}", hosts.empty() ? "" : " or ", a);
    for (auto p : spec.remote_ports)
        ports += fmt::format("{}port {}", ports.empty() ? "" : " or ", p);
    std::string tcp = "tcp";
    if (!hosts.empty()) tcp += fmt::format(" and ({})", hosts);
    if (!ports.empty()) tcp += fmt::format(" and ({})", ports);
    if (spec.icmp == IcmpErrors::exclude) return tcp;
    return fmt::format(
        "({}) or (icmp and (icmp[icmptype] == icmp-timxceed or icmp[icmptype] == icmp-unreach))"
        " or (icmp6 and (ip6[40] == 1 or ip6[40] == 3))",
        tcp);
}

Result<CaptureSession> CaptureSession::start(const CaptureSpec& spec) {
    LiveCaptureOptions options;
    options.interface = spec.interface;
    options.filter = build_capture_filter(spec);
    options.snaplen_bytes = spec.snaplen_bytes;
    options.buffer_bytes = spec.buffer_bytes;
    options.read_timeout_ms = k_poll_interval_ms;
    auto live = LiveCapture::open(options);
    if (!live) return tl::unexpected(live.error());
    auto impl = std::make_unique<Impl>(std::move(*live));

    impl->stop_event.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!impl->stop_event)
        return fail(fmt::format("packet capture: eventfd: {}", std::strerror(errno)));
    Impl* raw = impl.get();
    impl->worker = std::thread([raw] { raw->run(); });
    return CaptureSession(std::move(impl));
}

std::vector<CapturedPacket> CaptureSession::stop() {
    if (!m_impl || m_impl->stopped) return {};
    m_impl->stopped = true;
    uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(m_impl->stop_event.get(), &one, sizeof one);
    if (m_impl->worker.joinable()) m_impl->worker.join();
    for (int round = 0; round < k_max_drain_rounds && m_impl->dispatch() > 0; ++round) {
    }
    if (auto counters = m_impl->capture.stats()) m_impl->stats = *counters;
    m_impl->capture.close();
    return std::move(m_impl->packets);
}

CaptureStats CaptureSession::stats() const {
    return m_impl ? m_impl->stats : CaptureStats{};
}

const std::string& CaptureSession::filter() const {
    static const std::string empty;
    return m_impl ? m_impl->capture.filter() : empty;
}

CaptureSession::CaptureSession(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CaptureSession::CaptureSession(CaptureSession&&) noexcept = default;
CaptureSession& CaptureSession::operator=(CaptureSession&& other) noexcept {
    if (this != &other) {
        stop();
        m_impl = std::move(other.m_impl);
    }
    return *this;
}
CaptureSession::~CaptureSession() {
    stop();
}

Result<std::vector<CapturedPacket>> read_capture_file(const std::string& path) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    PcapHandle handle(pcap_open_offline(path.c_str(), errbuf));
    if (!handle) return fail(fmt::format("cannot read capture '{}': {}", path, errbuf));
    int dlt = pcap_datalink(handle.get());
    std::vector<CapturedPacket> packets;
    pcap_pkthdr* header = nullptr;
    const u_char* bytes = nullptr;
    int status = 0;
    while ((status = pcap_next_ex(handle.get(), &header, &bytes)) == 1) {
        CapturedPacket p;
        p.ts_unix =
            static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
        p.link_type = dlt;
        p.wire_len = header->len;
        p.frame.assign(bytes, bytes + header->caplen);
        packets.push_back(std::move(p));
    }
    if (status == PCAP_ERROR)
        return fail(fmt::format("capture '{}' is damaged: {}", path, pcap_geterr(handle.get())));
    return packets;
}

}  // namespace sniprobe::capture
