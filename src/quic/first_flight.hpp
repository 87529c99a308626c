// What a QUIC client puts in its first flight besides the packets: the transport
// parameters its ClientHello must carry (RFC 9000 §18; a server aborts without
// initial_source_connection_id), and the version-negotiation ping (RFC 9000 §6, §15): a
// long-header datagram of a reserved version 0x?a?a?a?a with random bytes after the CIDs,
// which any QUIC server answers with a Version Negotiation packet. It tells "UDP to this
// port reaches a QUIC server" apart from anything about names, as OONI's quicping does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "forge/fast_rng.hpp"

namespace sniprobe::quic {

// Transport parameters of a browser-like client: idle timeout, UDP payload size, flow
// control windows, stream limits, and initial_source_connection_id = `scid`.
std::vector<uint8_t> client_transport_parameters(std::span<const uint8_t> scid);

// A reserved version (RFC 9000 §15: 0x?a?a?a?a) picked by `rng`.
uint32_t reserved_version(forge::FastRng& rng);

// True for the reserved (greased) versions.
constexpr bool is_reserved_version(uint32_t v) {
    return (v & 0x0f0f0f0f) == 0x0a0a0a0a;
}

// A version-negotiation ping: long header with `version`, an 8-byte random DCID, an empty
// SCID, random bytes up to `datagram_bytes` (>= 1200 so a server does not drop it).
std::vector<uint8_t> version_ping(forge::FastRng& rng, uint32_t version,
                                  size_t datagram_bytes = 1200);

}  // namespace sniprobe::quic
