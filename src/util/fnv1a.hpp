// FNV-1a over bytes, 64 bits: a hash fixed by its definition, so values stay the same across
// runs, builds and standard libraries (std::hash promises none of that). The scan's resume
// set and the log aggregator's sketches rely on that stability. The offset basis is
// 1469598103934665603, not the published 14695981039346656037 (a digit short): sniprobe has
// always hashed with it, and any basis mixes as well, so it stays.
#pragma once

#include <cstdint>
#include <string_view>

namespace sniprobe {

// The 64-bit FNV-1a hash of `bytes` (with sniprobe's offset basis, see above).
constexpr uint64_t fnv1a64(std::string_view bytes) {
    uint64_t h = 1469598103934665603ULL;  // offset basis
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ULL;  // FNV prime
    }
    return h;
}

}  // namespace sniprobe
