// The embedded profile table, filled by a .cpp that CMake generates from
// src/middlebox/profiles/*.toml (profiles.cmake). Internal to the middlebox stage:
// everyone else calls profiles.hpp.
#pragma once

#include <string_view>
#include <vector>

namespace sniprobe::middlebox::detail {

// One shipped profile: its name (the file name without .toml) and its text.
struct EmbeddedProfile {
    std::string_view name;
    std::string_view text;
};

// Every shipped profile, sorted by name.
const std::vector<EmbeddedProfile>& embedded_profiles();

}  // namespace sniprobe::middlebox::detail
