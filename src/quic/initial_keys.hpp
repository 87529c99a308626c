// QUIC Initial packet keys (RFC 9001 §5.2): both endpoints derive them from the
// Destination Connection ID of the client's first Initial, so anyone on the path can too
// (which is how a censor reads the SNI of a QUIC hello, and how sniprobe reads the
// server's reply without a key exchange). initial_secret = HKDF-Extract(version salt,
// DCID); the client and server secrets are HKDF-Expand-Label(initial_secret, "client in" /
// "server in"); from each secret come the AES-128-GCM key ("quic key"), IV ("quic iv")
// and header-protection key ("quic hp"). QUIC v2 (RFC 9369) has its own salt and labels.
// The derivation runs on OpenSSL 3.0's EVP_KDF "HKDF" (SHA-256).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace sniprobe::quic {

inline constexpr uint32_t k_version_1 = 0x00000001;
inline constexpr uint32_t k_version_2 = 0x6b3343cf;  // RFC 9369

// The keys that protect one direction's packets.
struct PacketKeys {
    std::array<uint8_t, 16> key{};  // AES-128-GCM
    std::array<uint8_t, 12> iv{};   // XORed with the packet number for the nonce
    std::array<uint8_t, 16> hp{};   // AES-128-ECB header protection
};

// Both directions' Initial secrets and keys for one client DCID.
struct InitialKeys {
    uint32_t version = k_version_1;
    std::array<uint8_t, 32> initial_secret{};
    std::array<uint8_t, 32> client_secret{};
    std::array<uint8_t, 32> server_secret{};
    PacketKeys client;
    PacketKeys server;
};

// True for the versions whose Initial keys are known here (v1 and v2).
bool has_initial_keys(uint32_t version);

// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context: `length` bytes from `secret`
// under "tls13 " + label.
Result<std::vector<uint8_t>> hkdf_expand_label(std::span<const uint8_t> secret,
                                               std::string_view label, size_t length);

// The Initial keys of `version` for the client's first DCID (any length up to 20).
// Fails only for an unknown version or an OpenSSL failure.
Result<InitialKeys> derive_initial_keys(std::span<const uint8_t> dcid,
                                        uint32_t version = k_version_1);

}  // namespace sniprobe::quic
