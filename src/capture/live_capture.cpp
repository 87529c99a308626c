// libpcap behind LiveCapture (see live_capture.hpp): pcap_create, then the options libpcap
// only accepts before pcap_activate (snap length, immediate mode, buffer, timeout), then the
// filter and non-blocking mode, which need an active handle. errno is cleared before
// pcap_activate because a generic PCAP_ERROR with EPERM is also a missing privilege.
#include "capture/live_capture.hpp"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <cerrno>

#include "capture/capture_session.hpp"

namespace sniprobe::capture {
namespace {

Error activate_error(pcap* handle, int status, const std::string& interface) {
    if (status == PCAP_ERROR_PERM_DENIED || (status == PCAP_ERROR && errno == EPERM))
        return Error{k_capture_permission_message, ErrorCode::permission};
    if (status == PCAP_ERROR_NO_SUCH_DEVICE)
        return Error{fmt::format("packet capture: no such interface '{}'", interface),
                     ErrorCode::not_found};
    return Error{fmt::format("packet capture on '{}' failed: {}", interface, pcap_geterr(handle)),
                 ErrorCode::io};
}

// What the dispatch callback (a C function) needs.
struct DispatchContext {
    int link_type = 0;
    const std::function<void(const FrameView&)>* visit = nullptr;
};

void on_frame(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    const auto* context = reinterpret_cast<const DispatchContext*>(user);
    FrameView frame;
    frame.ts_unix =
        static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
    frame.link_type = context->link_type;
    frame.wire_len = header->len;
    frame.bytes = {bytes, header->caplen};
    (*context->visit)(frame);
}

}  // namespace

void PcapHandle::reset(pcap* handle) {
    if (m_handle != nullptr) pcap_close(m_handle);
    m_handle = handle;
}

Result<LiveCapture> LiveCapture::open(const LiveCaptureOptions& options) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    LiveCapture capture;
    capture.m_handle.reset(pcap_create(options.interface.c_str(), errbuf));
    if (!capture.m_handle)
        return fail(fmt::format("packet capture on '{}' failed: {}", options.interface, errbuf));
    pcap* h = capture.m_handle.get();
    pcap_set_snaplen(h, options.snaplen_bytes);
    pcap_set_immediate_mode(h, 1);
    pcap_set_buffer_size(h, options.buffer_bytes);
    pcap_set_timeout(h, options.read_timeout_ms);
    errno = 0;
    const int status = pcap_activate(h);
    if (status < 0) return tl::unexpected(activate_error(h, status, options.interface));

    capture.m_link_type = pcap_datalink(h);
    capture.m_filter = options.filter;
    bpf_program program{};
    if (pcap_compile(h, &program, capture.m_filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return fail(fmt::format("packet capture filter '{}' rejected: {}", capture.m_filter,
                                pcap_geterr(h)));
    const int set = pcap_setfilter(h, &program);
    pcap_freecode(&program);
    if (set != 0)
        return fail(fmt::format("packet capture: cannot install filter: {}", pcap_geterr(h)));
    if (pcap_setnonblock(h, 1, errbuf) != 0) return fail(fmt::format("packet capture: {}", errbuf));
    if (pcap_get_selectable_fd(h) < 0)
        return fail("packet capture: interface has no selectable descriptor");
    return capture;
}

int LiveCapture::fd() const {
    return m_handle ? pcap_get_selectable_fd(m_handle.get()) : -1;
}

int LiveCapture::dispatch(int max_frames, const std::function<void(const FrameView&)>& visit) {
    if (!m_handle) return -1;
    DispatchContext context{m_link_type, &visit};
    return pcap_dispatch(m_handle.get(), max_frames, on_frame, reinterpret_cast<u_char*>(&context));
}

std::optional<CaptureStats> LiveCapture::stats() const {
    if (!m_handle) return std::nullopt;
    pcap_stat counters{};
    if (pcap_stats(m_handle.get(), &counters) != 0) return std::nullopt;
    return CaptureStats{counters.ps_recv, counters.ps_drop, counters.ps_ifdrop};
}

}  // namespace sniprobe::capture
