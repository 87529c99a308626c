// Lookup over the embedded profile table (see profiles.hpp and profiles.cmake).
#include "middlebox/profiles.hpp"

#include "middlebox/profiles_data.hpp"

namespace sniprobe::middlebox {

std::optional<std::string> profile_text(std::string_view name) {
    for (const auto& p : detail::embedded_profiles())
        if (p.name == name) return std::string(p.text);
    return std::nullopt;
}

std::vector<std::string> profile_names() {
    std::vector<std::string> names;
    for (const auto& p : detail::embedded_profiles()) names.emplace_back(p.name);
    return names;
}

Result<Rules> load_profile(std::string_view name) {
    auto text = profile_text(name);
    if (!text) {
        std::string known;
        for (const auto& n : profile_names()) known += (known.empty() ? "" : ", ") + n;
        return fail("unknown middlebox profile '" + std::string(name) + "' (known: " + known + ")");
    }
    return parse_rules(*text, "profile:" + std::string(name));
}

}  // namespace sniprobe::middlebox
