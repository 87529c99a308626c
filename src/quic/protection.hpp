// Packet protection of long-header packets (RFC 9001 §5.3-5.4): the payload is sealed with
// AES-128-GCM under a nonce of the IV XOR the packet number, with the header up to and
// including the packet number as associated data; then header protection masks the low
// four bits of the first byte and the packet-number bytes with AES-128-ECB(hp, sample),
// where the sample is the 16 ciphertext bytes starting 4 bytes after the packet number's
// first byte (as if the packet number were 4 bytes long). Removing it runs the same steps
// backwards; a packet too short to sample or whose tag does not verify is refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "quic/initial_keys.hpp"
#include "util/result.hpp"

namespace sniprobe::quic {

inline constexpr size_t k_aead_tag_bytes = 16;
inline constexpr size_t k_hp_sample_bytes = 16;

// The 5-byte header-protection mask for a 16-byte sample.
Result<std::array<uint8_t, 5>> header_protection_mask(const PacketKeys& keys,
                                                      std::span<const uint8_t> sample);

// Seals a long-header packet: `header` is the unprotected header ending with the packet
// number (`pn_length` bytes, value `pn`); returns header + ciphertext + tag, header protected.
Result<std::vector<uint8_t>> protect_long_packet(const PacketKeys& keys,
                                                 std::span<const uint8_t> header, size_t pn_length,
                                                 uint64_t pn, std::span<const uint8_t> plaintext);

// An opened packet.
struct OpenedPacket {
    uint8_t first_byte = 0;  // header protection removed
    size_t pn_length = 0;
    uint64_t packet_number = 0;  // truncated (as sent); Initial numbers start at 0
    std::vector<uint8_t> plaintext;
};

// Why a packet could not be opened.
enum class OpenFailure { too_short, aead_failed, crypto_error };

// Opens one long-header packet (`packet` ends where its Length field says) whose packet
// number starts at `pn_offset`.
tl::expected<OpenedPacket, OpenFailure> open_long_packet(const PacketKeys& keys,
                                                         std::span<const uint8_t> packet,
                                                         size_t pn_offset);

// AES-128-GCM seal/open with a given key and nonce (also used for the Retry tag).
Result<std::vector<uint8_t>> gcm_seal(std::span<const uint8_t, 16> key,
                                      std::span<const uint8_t, 12> nonce,
                                      std::span<const uint8_t> aad,
                                      std::span<const uint8_t> plaintext);
// Returns false when the tag (the last 16 bytes of `sealed`) does not verify.
bool gcm_open(std::span<const uint8_t, 16> key, std::span<const uint8_t, 12> nonce,
              std::span<const uint8_t> aad, std::span<const uint8_t> sealed,
              std::vector<uint8_t>& plaintext);

}  // namespace sniprobe::quic
