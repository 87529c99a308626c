// QUIC variable-length integers (RFC 9000 §16): the two high bits of the first byte give
// the length (1, 2, 4 or 8 bytes), the rest is the value, big-endian. Reading checks the
// bounds of the untrusted input before every byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sniprobe::quic {

// The largest value a varint holds (2^62 - 1).
inline constexpr uint64_t k_varint_max = (uint64_t{1} << 62) - 1;

// The bytes the shortest encoding of `v` takes (v <= k_varint_max).
constexpr size_t varint_size(uint64_t v) {
    return v < 64 ? 1 : v < 16384 ? 2 : v < (uint64_t{1} << 30) ? 4 : 8;
}

// Writes `v` in exactly `len` bytes (1, 2, 4 or 8; at least varint_size(v)); returns len.
inline size_t put_varint(uint8_t* out, uint64_t v, size_t len) {
    const uint8_t prefix = len == 1 ? 0x00 : len == 2 ? 0x40 : len == 4 ? 0x80 : 0xc0;
    for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(v >> (8 * (len - 1 - i)));
    out[0] = static_cast<uint8_t>((out[0] & 0x3f) | prefix);
    return len;
}

// Writes `v` in its shortest encoding; returns the bytes written.
inline size_t put_varint(uint8_t* out, uint64_t v) {
    return put_varint(out, v, varint_size(v));
}

// Reads a varint at `at` and advances past it; nullopt (and no advance) when it runs past
// the end of `in`.
inline std::optional<uint64_t> read_varint(std::span<const uint8_t> in, size_t& at) {
    if (at >= in.size()) return std::nullopt;
    const size_t len = size_t{1} << (in[at] >> 6);
    if (len > in.size() - at) return std::nullopt;
    uint64_t v = in[at] & 0x3f;
    for (size_t i = 1; i < len; ++i) v = (v << 8) | in[at + i];
    at += len;
    return v;
}

}  // namespace sniprobe::quic
