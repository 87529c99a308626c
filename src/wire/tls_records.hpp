// TLS record layer for the ClientHello parser (internal to wire/): collects one
// handshake message from the records at the start of a client->server stream. The
// quirk: the record layer and the handshake layer frame independently, so a hello may
// be cut into any number of records (even one byte each, even empty ones) and TCP
// cuts records anywhere; a record of another type before the hello is complete is an
// evasion or a broken client, not something to skip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "wire/client_hello.hpp"

namespace sniprobe::wire::detail {

inline constexpr size_t k_record_header_bytes = 5;
inline constexpr size_t k_handshake_header_bytes = 4;

// The handshake message as collected from the records that have arrived.
struct Gathered {
    HelloAnomaly anomaly = HelloAnomaly::none;  // none: the whole message is present
    std::span<const uint8_t> message;           // header + body bytes present (clamped)
    size_t declared_end = 0;                    // 4 + hello length, 0 when not yet known
    int record_count = 0;
    uint16_t record_version = 0;
    size_t stream_bytes = 0;  // just past the hello's last byte
};

// Walks TLS records from the stream's start and concatenates their fragments until the
// ClientHello message is complete. A single-record hello is viewed in place; only a hello
// split across records is copied into `scratch` (which must outlive the result).
Gathered gather_handshake(std::span<const uint8_t> stream, std::vector<uint8_t>& scratch);

// Maps an offset within the handshake message to its offset in the record stream.
size_t stream_offset_of(std::span<const uint8_t> stream, size_t message_offset);

}  // namespace sniprobe::wire::detail
