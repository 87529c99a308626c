// FNV-1a over bytes, 64 bits: a hash fixed by its definition, so values stay the same across
// runs, builds and standard libraries (std::hash promises none of that). The scan's resume
// set and the log aggregator's sketches rely on that stability.
#pragma once

#include <cstdint>
#include <string_view>

namespace sniprobe {

// The 64-bit FNV-1a hash of `bytes`.
constexpr uint64_t fnv1a64(std::string_view bytes) {
    uint64_t h = 1469598103934665603ULL;  // offset basis
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ULL;  // FNV prime
    }
    return h;
}

}  // namespace sniprobe
