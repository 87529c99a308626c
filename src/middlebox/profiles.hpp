// The shipped middlebox profiles (src/middlebox/profiles/*.toml, embedded into the
// binary at build time so `sniprobe lab up --profile seed` needs no file on disk):
// seed, gfw, drop, clean, fin, p30, address, http. Each file's comments say which real
// injector it imitates.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "middlebox/rules.hpp"
#include "util/result.hpp"

namespace sniprobe::middlebox {

// The TOML text of a shipped profile, or nullopt for an unknown name.
std::optional<std::string> profile_text(std::string_view name);

// Names of every shipped profile, sorted.
std::vector<std::string> profile_names();

// Parses a shipped profile (origin "profile:<name>"); fails for unknown names.
Result<Rules> load_profile(std::string_view name);

}  // namespace sniprobe::middlebox
