// libpcap setup and per-frame decoding for the sink (see packet_source.hpp). Frames on
// "any" arrive with a cooked header; the outgoing copy of a loopback packet is skipped
// (the incoming one is counted). Malformed frames are counted, never trusted.
#include "sink/packet_source.hpp"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <cerrno>

#include "capture/capture_session.hpp"
#include "capture/link_frame.hpp"
#include "capture/pcap_handle.hpp"
#include "sink/connection_table.hpp"
#include "wire/packet.hpp"

namespace sniprobe::sink {

struct PacketSource::Impl {
    capture::PcapHandle handle;
    int link_type = 0;
    std::string filter;
    SourceCounters counters;
};

namespace {

// What the pcap callback (a C function) needs.
struct FrameContext {
    int link_type = 0;
    SourceCounters* counters = nullptr;
    ConnectionTable* table = nullptr;
};

void on_frame(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    auto* ctx = reinterpret_cast<FrameContext*>(user);
    FrameContext* impl = ctx;
    ++impl->counters->frames;
    auto link = capture::decode_link_frame(impl->link_type, {bytes, header->caplen});
    if (link.anomaly == capture::FrameAnomaly::loopback_echo) {
        ++impl->counters->loopback_echoes;
        return;
    }
    if (link.anomaly != capture::FrameAnomaly::none) {
        ++impl->counters->malformed;
        return;
    }
    auto parsed = wire::decode_tcp_packet(link.ip_packet);
    if (!parsed.packet) {
        ++impl->counters->malformed;
        return;
    }
    ++impl->counters->decoded;
    double t =
        static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
    impl->table->observe(*parsed.packet, t);
}

}  // namespace

std::string sink_filter(const std::vector<uint16_t>& ports) {
    std::string expr = "tcp and (";
    for (size_t i = 0; i < ports.size(); ++i)
        expr += fmt::format("{}port {}", i == 0 ? "" : " or ", ports[i]);
    return expr + ")";
}

Result<PacketSource> PacketSource::open(const std::string& interface,
                                        const std::vector<uint16_t>& ports, int snaplen_bytes) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    auto impl = std::make_unique<Impl>();
    impl->handle.reset(pcap_create(interface.c_str(), errbuf));
    if (!impl->handle) return fail(fmt::format("capture on {}: {}", interface, errbuf));
    pcap* p = impl->handle.get();
    pcap_set_snaplen(p, snaplen_bytes);
    pcap_set_immediate_mode(p, 1);
    pcap_set_buffer_size(p, 4 << 20);
    pcap_set_timeout(p, 100);
    int status = pcap_activate(p);
    if (status == PCAP_ERROR_PERM_DENIED || (status == PCAP_ERROR && errno == EPERM))
        return fail(ErrorCode::permission, capture::k_capture_permission_message);
    if (status < 0) return fail(fmt::format("capture on {}: {}", interface, pcap_geterr(p)));
    impl->link_type = pcap_datalink(p);
    impl->filter = sink_filter(ports);
    bpf_program program{};
    if (pcap_compile(p, &program, impl->filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return fail(fmt::format("capture filter '{}': {}", impl->filter, pcap_geterr(p)));
    int set = pcap_setfilter(p, &program);
    pcap_freecode(&program);
    if (set != 0) return fail(fmt::format("capture filter '{}': {}", impl->filter, pcap_geterr(p)));
    if (pcap_setnonblock(p, 1, errbuf) != 0)
        return fail(fmt::format("capture on {}: {}", interface, errbuf));
    return PacketSource(std::move(impl));
}

PacketSource::PacketSource(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PacketSource::PacketSource(PacketSource&&) noexcept = default;
PacketSource& PacketSource::operator=(PacketSource&&) noexcept = default;
PacketSource::~PacketSource() = default;

int PacketSource::fd() const {
    return pcap_get_selectable_fd(m_impl->handle.get());
}

bool PacketSource::dispatch(ConnectionTable& table) {
    FrameContext ctx{m_impl->link_type, &m_impl->counters, &table};
    // Bounded rounds: a busy link must not starve the query sockets.
    for (int round = 0; round < 64; ++round) {
        int n = pcap_dispatch(m_impl->handle.get(), 256, on_frame, reinterpret_cast<u_char*>(&ctx));
        if (n < 0) return false;
        if (n == 0) break;
    }
    pcap_stat stats{};
    if (pcap_stats(m_impl->handle.get(), &stats) == 0)
        m_impl->counters.dropped_kernel = stats.ps_drop;
    return true;
}

const std::string& PacketSource::filter() const {
    return m_impl->filter;
}
SourceCounters PacketSource::counters() const {
    return m_impl->counters;
}

}  // namespace sniprobe::sink
