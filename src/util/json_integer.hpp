// Integers from untrusted JSON. nlohmann's get<T>() converts a float, or an integer out
// of T's range, with a plain cast: undefined behaviour for a float beyond T (found by
// fuzzing the sink's record decoder with {"ip_id": 3.14e7}). These accept only integers
// that fit, so a hostile or corrupt document becomes an error, never UB.
// Header-only: nlohmann/json is header-only too, so util gains no link dependency.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace sniprobe {

// The value as T when it is a JSON integer within T's range, else nullopt.
template <class T, class Json>
std::optional<T> json_integer(const Json& v) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    if (v.is_number_unsigned()) {
        const auto u = v.template get<std::uint64_t>();
        if (!std::in_range<T>(u)) return std::nullopt;
        return static_cast<T>(u);
    }
    if (v.is_number_integer()) {
        const auto i = v.template get<std::int64_t>();
        if (!std::in_range<T>(i)) return std::nullopt;
        return static_cast<T>(i);
    }
    return std::nullopt;
}

// Thrown when a field is not an integer that fits; readers catch it beside json::exception.
class JsonRangeError : public std::runtime_error {
  public:
    explicit JsonRangeError(const std::string& field)
        : std::runtime_error("field '" + field + "' is not an integer in range") {}
};

// get<T>() for untrusted input: integers are range-checked, other types as nlohmann does.
template <class T, class Json>
T json_get_checked(const Json& v, const char* field) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        auto value = json_integer<T>(v);
        if (!value) throw JsonRangeError(field);
        return *value;
    } else {
        return v.template get<T>();
    }
}

}  // namespace sniprobe
