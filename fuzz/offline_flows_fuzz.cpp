// Fuzzes the flow tracker and the TLS judge directly, without libpcap: the input is a
// run of frames (a length byte, then that many bytes of a raw IPv4/IPv6 packet), fed to
// one FlowTracker with tight limits so eviction (by count and by memory), port reuse and
// stream caps are reached; every finished flow is then judged by name as analyze does.
// Must never crash.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "capture/link_frame.hpp"
#include "offline/analyze_captures.hpp"
#include "offline/flow_tracker.hpp"

using namespace sniprobe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    CaptureAnalysis c;
    offline::FlowLimits limits;
    limits.max_packets = 8;
    limits.max_stream_bytes = 512;
    limits.max_open_flows = 4;
    limits.max_retained_bytes = 8192;  // the memory budget sheds flows too
    limits.closed_linger_s = 0.5;
    limits.idle_s = 2;
    offline::FlowTracker tracker(
        [&](offline::FinishedFlow&& f) {
            const int id = static_cast<int>(c.trials.size());
            f.trial.id = id;
            f.facts.trial_id = id;
            c.trials.push_back(std::move(f.trial));
            c.flows.push_back(std::move(f.facts));
        },
        limits);
    tracker.begin_file("fuzz");
    size_t pos = 0;
    uint64_t number = 0;
    while (pos < size) {
        const size_t len = data[pos++];
        const size_t take = len < size - pos ? len : size - pos;
        offline::Frame frame;
        frame.number = ++number;
        frame.ts_unix = 1000.0 + static_cast<double>(number) * 0.25;
        frame.wire_len = static_cast<uint32_t>(len + (number % 3 == 0 ? 40 : 0));  // some cut
        frame.bytes = {data + pos, take};
        tracker.add(frame, capture::link_type::raw_linktype);
        pos += take;
    }
    tracker.finish();
    offline::judge_captures(c);
    return 0;
}
