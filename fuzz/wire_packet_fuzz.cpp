// libFuzzer target for the IP/TCP and ICMP error decoders (what capture and the
// middlebox feed them: raw packets from the network). A decoded packet's payload must
// lie inside the input, and re-building it must decode to the same header fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "wire/packet.hpp"
#include "wire/packet_builder.hpp"

using namespace sniprobe::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> input(data, size);
    const PacketParse parsed = decode_tcp_packet(input);
    (void)packet_anomaly_name(parsed.anomaly);
    (void)tcp_checksums_ok(input);
    if (parsed.packet) {
        const TcpPacket& p = *parsed.packet;
        if (!p.payload.empty() &&
            (p.payload.data() < data || p.payload.data() + p.payload.size() > data + size)) {
            std::abort();
        }
        if (p.payload.size() > p.wire_payload_len) std::abort();
        (void)p.src_string();
        TcpSpec spec;
        std::copy(p.src, p.src + 16, spec.src.begin());
        std::copy(p.dst, p.dst + 16, spec.dst.begin());
        spec.src_port = p.src_port;
        spec.dst_port = p.dst_port;
        spec.seq = p.seq;
        spec.ack = p.ack;
        spec.flags = p.flags;
        spec.window = p.window;
        spec.ttl = p.ttl;
        spec.ip_id = p.ip_id;
        spec.df = p.df;
        spec.payload.assign(p.payload.begin(), p.payload.end());
        const auto rebuilt = p.ip_version == 4 ? build_tcp_ipv4(spec) : build_tcp_ipv6(spec);
        const PacketParse again = decode_tcp_packet(rebuilt);
        if (!again.packet || !tcp_checksums_ok(rebuilt)) std::abort();
        if (again.packet->seq != p.seq || again.packet->src_port != p.src_port ||
            again.packet->payload.size() != p.payload.size()) {
            std::abort();
        }
    }
    if (const auto icmp = decode_icmp_error(input)) (void)icmp->from.size();
    return 0;
}
