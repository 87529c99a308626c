// The client's first flight, written by hand: a ClientHello handshake message carried in
// CRYPTO frames of protected Initial packets (RFC 9000 §17.2.2, RFC 9001 §4.1 and §5), one
// Initial per UDP datagram, each datagram padded with PADDING frames to at least 1200
// bytes (RFC 9000 §14.1: a server drops a smaller client Initial). A hello that does not
// fit one Initial continues in the next at the following CRYPTO offset, as Chrome's
// post-quantum hello does (its first Initial carries about 1200 bytes of the hello, the
// second the rest); `split_at` forces where the hello is cut, e.g. inside the SNI, to see
// whether a middlebox reassembles CRYPTO data across packets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "quic/initial_keys.hpp"
#include "util/result.hpp"

namespace sniprobe::quic {

inline constexpr size_t k_min_initial_datagram = 1200;
inline constexpr size_t k_max_cid_bytes = 20;

struct InitialLayout {
    uint32_t version = k_version_1;
    std::vector<uint8_t> dcid;  // 8..20 bytes (the keys come from it)
    std::vector<uint8_t> scid;  // 0..20 bytes
    uint64_t first_packet_number = 0;
    size_t pn_length = 2;                            // 1..4
    size_t datagram_bytes = k_min_initial_datagram;  // each datagram, >= 1200
    std::optional<size_t> split_at;                  // cut the hello at this offset
};

// One protected Initial (one datagram) and the slice of the hello it carries.
struct ClientInitial {
    std::vector<uint8_t> datagram;
    size_t crypto_offset = 0;
    size_t crypto_length = 0;
};

// Protects `handshake_message` (a ClientHello without its record header) in as many
// Initials as it needs. Fails for a bad layout (CID lengths, PN length, split offset) or
// an OpenSSL failure.
Result<std::vector<ClientInitial>> build_client_initials(std::span<const uint8_t> handshake_message,
                                                         const InitialLayout& layout);

// The largest CRYPTO payload one Initial of `layout` carries within its datagram size.
size_t crypto_capacity(const InitialLayout& layout, size_t crypto_offset);

}  // namespace sniprobe::quic
