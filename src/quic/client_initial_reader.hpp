// What an on-path box reads from a client's first datagram: the GFW opens the first
// Initial of a UDP flow with keys derived from its DCID (RFC 9001 §5.2) and takes the
// server name from the CRYPTO data of that one packet, without reassembling CRYPTO frames
// across packets. The lab's middlebox uses this to emulate it; the same code path as the
// server-datagram reader opens the packet (with the client's keys), so garbage is a named
// anomaly here too.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "quic/server_datagram.hpp"

namespace sniprobe::quic {

struct ClientInitialView {
    bool initial = false;  // a long-header v1/v2 Initial the client keys open
    uint32_t version = 0;
    QuicAnomaly anomaly = QuicAnomaly::none;
    size_t crypto_bytes = 0;         // CRYPTO data at offset 0 in this datagram
    std::optional<std::string> sni;  // when the name's bytes are in this datagram
    bool ech = false;  // an encrypted_client_hello extension's header is in these bytes
};

// Reads a client's datagram as a box that inspects only the first packet would.
ClientInitialView read_client_initial(std::span<const uint8_t> datagram);

}  // namespace sniprobe::quic
