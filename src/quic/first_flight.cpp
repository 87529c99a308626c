// Transport parameters are (id varint, length varint, value) triples; integer values are
// varints themselves. The values follow Chrome's: 30 s idle timeout, 1472-byte payloads,
// 15 MiB connection window, 6 MiB stream windows, 100 bidirectional and 103 unidirectional
// streams.
#include "quic/first_flight.hpp"

#include <algorithm>

#include "quic/varint.hpp"

namespace sniprobe::quic {
namespace {

void put_integer_parameter(std::vector<uint8_t>& out, uint64_t id, uint64_t value) {
    uint8_t buf[24];
    size_t at = put_varint(buf, id);
    at += put_varint(buf + at, varint_size(value));
    at += put_varint(buf + at, value);
    out.insert(out.end(), buf, buf + at);
}

}  // namespace

std::vector<uint8_t> client_transport_parameters(std::span<const uint8_t> scid) {
    std::vector<uint8_t> out;
    put_integer_parameter(out, 0x01, 30000);     // max_idle_timeout (ms)
    put_integer_parameter(out, 0x03, 1472);      // max_udp_payload_size
    put_integer_parameter(out, 0x04, 15728640);  // initial_max_data
    put_integer_parameter(out, 0x05, 6291456);   // initial_max_stream_data_bidi_local
    put_integer_parameter(out, 0x06, 6291456);   // initial_max_stream_data_bidi_remote
    put_integer_parameter(out, 0x07, 6291456);   // initial_max_stream_data_uni
    put_integer_parameter(out, 0x08, 100);       // initial_max_streams_bidi
    put_integer_parameter(out, 0x09, 103);       // initial_max_streams_uni
    out.push_back(0x0f);                         // initial_source_connection_id
    out.push_back(static_cast<uint8_t>(scid.size()));
    out.insert(out.end(), scid.begin(), scid.end());
    return out;
}

uint32_t reserved_version(forge::FastRng& rng) {
    return static_cast<uint32_t>(rng.next() & 0xf0f0f0f0) | 0x0a0a0a0a;
}

std::vector<uint8_t> version_ping(forge::FastRng& rng, uint32_t version, size_t datagram_bytes) {
    std::vector<uint8_t> out(std::max<size_t>(datagram_bytes, 16));
    rng.fill(out);
    out[0] = static_cast<uint8_t>(0xc0 | (out[0] & 0x3f));
    for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<uint8_t>(version >> (24 - 8 * i));
    out[5] = 8;   // DCID length; DCID stays random
    out[14] = 0;  // SCID length
    return out;
}

}  // namespace sniprobe::quic
