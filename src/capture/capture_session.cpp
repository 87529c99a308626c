// The live capture: pcap_create + immediate mode + a short snap length + a BPF filter
// on the probed flows, then a thread that polls the pcap descriptor beside an eventfd
// used to stop it. On stop the thread is joined and one last non-blocking dispatch
// drains frames the kernel already holds, so the RST that ended the last trial is kept.
// A missing privilege shows up at pcap_activate (PCAP_ERROR_PERM_DENIED) and becomes the
// single line users can act on.
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

// Where the pcap callback stores frames (a plain struct: the callback is a C function).
struct PacketSink {
    int link_type = 0;
    std::vector<CapturedPacket> packets;
};

void on_packet(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    auto* sink = reinterpret_cast<PacketSink*>(user);
    CapturedPacket packet;
    packet.ts_unix = static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
    packet.link_type = sink->link_type;
    packet.wire_len = header->len;
    packet.frame.assign(bytes, bytes + header->caplen);
    sink->packets.push_back(std::move(packet));
}

}  // namespace

void PcapHandle::reset(pcap* handle) {
    if (m_handle != nullptr) pcap_close(m_handle);
    m_handle = handle;
}

struct CaptureSession::Impl {
    PcapHandle handle;
    Fd stop_event;
    std::string filter;
    PacketSink sink;
    CaptureStats stats;
    std::thread worker;
    bool stopped = false;

    // Delivers every frame ready now; returns how many (0 when none, <0 on error).
    int dispatch() { return pcap_dispatch(handle.get(), -1, on_packet, reinterpret_cast<u_char*>(&sink)); }

    void run() {
        pollfd fds[2] = {{pcap_get_selectable_fd(handle.get()), POLLIN, 0}, {stop_event.get(), POLLIN, 0}};
        for (;;) {
            int ready = ::poll(fds, 2, k_poll_interval_ms);
            if (ready < 0 && errno != EINTR) return;
            if (fds[1].revents != 0) return;
            if (dispatch() < 0) return;
        }
    }
};

namespace {

Error activate_error(pcap* handle, int status, const std::string& interface) {
    if (status == PCAP_ERROR_PERM_DENIED || (status == PCAP_ERROR && errno == EPERM))
        return Error{k_capture_permission_message, ErrorCode::permission};
    if (status == PCAP_ERROR_NO_SUCH_DEVICE)
        return Error{fmt::format("packet capture: no such interface '{}'", interface), ErrorCode::not_found};
    return Error{fmt::format("packet capture on '{}' failed: {}", interface, pcap_geterr(handle)), ErrorCode::io};
}

}  // namespace

std::string build_capture_filter(const CaptureSpec& spec) {
    std::string hosts, ports;
    for (const auto& a : spec.remote_addresses)
        hosts += fmt::format("{}host {}", hosts.empty() ? "" : " or ", a);
    for (auto p : spec.remote_ports) ports += fmt::format("{}port {}", ports.empty() ? "" : " or ", p);
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
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    auto impl = std::make_unique<Impl>();
    impl->handle.reset(pcap_create(spec.interface.c_str(), errbuf));
    if (!impl->handle) return fail(fmt::format("packet capture on '{}' failed: {}", spec.interface, errbuf));
    pcap* h = impl->handle.get();
    pcap_set_snaplen(h, spec.snaplen_bytes);
    pcap_set_immediate_mode(h, 1);
    pcap_set_buffer_size(h, spec.buffer_bytes);
    pcap_set_timeout(h, k_poll_interval_ms);
    errno = 0;
    int status = pcap_activate(h);
    if (status < 0) return tl::unexpected(activate_error(h, status, spec.interface));

    impl->sink.link_type = pcap_datalink(h);
    impl->filter = build_capture_filter(spec);
    bpf_program program{};
    if (pcap_compile(h, &program, impl->filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return fail(fmt::format("packet capture filter '{}' rejected: {}", impl->filter, pcap_geterr(h)));
    int set = pcap_setfilter(h, &program);
    pcap_freecode(&program);
    if (set != 0) return fail(fmt::format("packet capture: cannot install filter: {}", pcap_geterr(h)));
    if (pcap_setnonblock(h, 1, errbuf) != 0) return fail(fmt::format("packet capture: {}", errbuf));
    if (pcap_get_selectable_fd(h) < 0) return fail("packet capture: interface has no selectable descriptor");

    impl->stop_event.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!impl->stop_event) return fail(fmt::format("packet capture: eventfd: {}", std::strerror(errno)));
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
    pcap_stat counters{};
    if (pcap_stats(m_impl->handle.get(), &counters) == 0) {
        m_impl->stats.received = counters.ps_recv;
        m_impl->stats.dropped_kernel = counters.ps_drop;
        m_impl->stats.dropped_interface = counters.ps_ifdrop;
    }
    m_impl->handle.reset();
    return std::move(m_impl->sink.packets);
}

CaptureStats CaptureSession::stats() const { return m_impl ? m_impl->stats : CaptureStats{}; }

const std::string& CaptureSession::filter() const {
    static const std::string empty;
    return m_impl ? m_impl->filter : empty;
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
CaptureSession::~CaptureSession() { stop(); }

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
        p.ts_unix = static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
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
