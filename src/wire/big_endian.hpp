// Network byte order reads from a byte span. Callers check bounds first (every parser
// here compares lengths before reading), so these do no checking of their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sniprobe::wire {

// The 16-bit big-endian value at b[at], b[at+1].
inline uint16_t be16(std::span<const uint8_t> b, size_t at) {
    return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

// The 32-bit big-endian value at b[at..at+3].
inline uint32_t be32(std::span<const uint8_t> b, size_t at) {
    return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) |
           uint32_t{b[at + 3]};
}

}  // namespace sniprobe::wire
