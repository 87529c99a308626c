// Helpers for the forge tests: walk a forged hello's extensions by offset (the wire parser
// reports types and lengths, the tests also need where each body sits), and build
// templates without unwrapping Results at every call.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "forge/hello_forge.hpp"

namespace sniprobe::forge::test {

struct ExtensionAt {
    uint16_t type = 0;
    size_t body_offset = 0;  // in the record stream
    size_t length = 0;
};

// The extensions of a single-record ClientHello, with their body offsets.
inline std::vector<ExtensionAt> extensions_of(std::span<const uint8_t> b) {
    std::vector<ExtensionAt> out;
    size_t at = 5 + 4 + 2 + 32;
    at += 1 + b[at];
    at += 2 + ((size_t{b[at]} << 8) | b[at + 1]);
    at += 1 + b[at];
    size_t end = at + 2 + ((size_t{b[at]} << 8) | b[at + 1]);
    at += 2;
    while (at + 4 <= end) {
        ExtensionAt e;
        e.type = static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
        e.length = (size_t{b[at + 2]} << 8) | b[at + 3];
        e.body_offset = at + 4;
        out.push_back(e);
        at += 4 + e.length;
    }
    return out;
}

inline std::optional<ExtensionAt> find_extension(std::span<const uint8_t> b, uint16_t type) {
    for (const auto& e : extensions_of(b))
        if (e.type == type) return e;
    return std::nullopt;
}

inline HelloTemplate make_template(ForgeOptions options) {
    auto t = HelloTemplate::create(options);
    if (!t) {
        ADD_FAILURE() << t.error().message;
        std::abort();
    }
    return std::move(*t);
}

}  // namespace sniprobe::forge::test
