// TLS record reassembly for the ClientHello parser: see tls_records.hpp. Every record
// header is validated as soon as its bytes arrive (type on the first byte, version on
// the second), so a DPI fast path rejects non-TLS streams on the first segment.
#include "wire/tls_records.hpp"
#include "wire/big_endian.hpp"

#include <algorithm>
#include <limits>

namespace sniprobe::wire::detail {
namespace {

constexpr uint8_t k_record_handshake = 0x16;
constexpr uint8_t k_handshake_client_hello = 0x01;
constexpr size_t k_max_record_bytes = 16384 + 2048;
constexpr size_t k_max_hello_bytes = 64 * 1024;

}  // namespace

Gathered gather_handshake(std::span<const uint8_t> stream, std::vector<uint8_t>& scratch) {
    Gathered g;
    std::span<const uint8_t> first_fragment;
    size_t have = 0;
    size_t need = std::numeric_limits<size_t>::max();
    size_t pos = 0;
    auto view = [&]() -> std::span<const uint8_t> {
        if (g.record_count <= 1) return first_fragment;
        return scratch;
    };
    while (have < need) {
        const size_t remaining = stream.size() - pos;
        if (remaining == 0) {
            g.anomaly = HelloAnomaly::incomplete;
            break;
        }
        if (stream[pos] != k_record_handshake) {
            g.anomaly =
                g.record_count == 0 ? HelloAnomaly::not_tls : HelloAnomaly::interleaved_record;
            return g;
        }
        if (remaining >= 2 && stream[pos + 1] != 3) {
            g.anomaly = HelloAnomaly::bad_record_version;
            return g;
        }
        if (remaining < k_record_header_bytes) {
            g.anomaly = HelloAnomaly::incomplete;
            break;
        }
        const size_t record_len = be16(stream, pos + 3);
        if (record_len > k_max_record_bytes) {
            g.anomaly = HelloAnomaly::record_too_long;
            return g;
        }
        if (g.record_count == 0) g.record_version = be16(stream, pos + 1);
        ++g.record_count;
        const size_t present = std::min(record_len, remaining - k_record_header_bytes);
        auto fragment = stream.subspan(pos + k_record_header_bytes, present);
        if (g.record_count == 1) {
            first_fragment = fragment;
        } else {
            if (g.record_count == 2) {
                scratch.clear();
                scratch.reserve(std::min(need, stream.size()));
                scratch.assign(first_fragment.begin(), first_fragment.end());
            }
            scratch.insert(scratch.end(), fragment.begin(), fragment.end());
        }
        have += present;
        auto message = view();
        if (!message.empty() && message[0] != k_handshake_client_hello) {
            g.anomaly = HelloAnomaly::not_client_hello;
            return g;
        }
        if (need == std::numeric_limits<size_t>::max() &&
            message.size() >= k_handshake_header_bytes) {
            const size_t body = (size_t{message[1]} << 16) | (size_t{message[2]} << 8) | message[3];
            if (body > k_max_hello_bytes) {
                g.anomaly = HelloAnomaly::handshake_too_long;
                return g;
            }
            need = k_handshake_header_bytes + body;
            g.declared_end = need;
        }
        if (have >= need) {  // the hello ends in this record (normally at its end)
            g.stream_bytes = pos + k_record_header_bytes + present - (have - need);
            break;
        }
        pos += k_record_header_bytes + record_len;
        if (present < record_len) {
            g.anomaly = HelloAnomaly::incomplete;
            break;
        }
    }
    auto message = view();
    g.message = message.first(std::min(message.size(), need));
    return g;
}

size_t stream_offset_of(std::span<const uint8_t> stream, size_t message_offset) {
    size_t pos = 0;
    size_t message_pos = 0;
    while (pos + k_record_header_bytes <= stream.size()) {
        const size_t record_len = be16(stream, pos + 3);
        if (message_offset < message_pos + record_len) break;
        message_pos += record_len;
        pos += k_record_header_bytes + record_len;
    }
    return pos + k_record_header_bytes + (message_offset - message_pos);
}

}  // namespace sniprobe::wire::detail
