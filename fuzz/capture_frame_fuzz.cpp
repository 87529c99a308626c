// Fuzzes the capture decoding path: link header (the first input byte picks the link
// type), then the IP/TCP decoder and the frame-to-trial attachment, exactly as a
// captured frame from the network travels through capture/. Must never crash.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "capture/attach.hpp"
#include "capture/link_frame.hpp"

using namespace sniprobe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const int k_link_types[] = {capture::link_type::ethernet, capture::link_type::linux_sll,
                                       capture::link_type::linux_sll2, capture::link_type::raw,
                                       capture::link_type::ipv6};
    if (size < 1) return 0;
    capture::CapturedPacket packet;
    packet.link_type = k_link_types[data[0] % (sizeof k_link_types / sizeof k_link_types[0])];
    packet.frame.assign(data + 1, data + size);
    packet.wire_len = static_cast<uint32_t>(size - 1);
    packet.ts_unix = 1.0;

    std::vector<Trial> trials(2);
    trials[0].address = "10.0.0.2";
    trials[0].port = 443;
    trials[0].local_port = 40000;
    trials[1].address = "fd77::2";
    trials[1].port = 443;
    trials[1].local_port = 40000;
    capture::attach_packets(trials, {packet}, 0.0);
    return 0;
}
