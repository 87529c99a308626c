// Stable names for probe variants; the order here is the report's row order.
#include "model/variant.hpp"

#include <array>
#include <utility>

namespace sniprobe {
namespace {

constexpr std::array<std::pair<Variant, std::string_view>, 19> k_names{{
    {Variant::sni, "sni"},
    {Variant::no_sni, "no_sni"},
    {Variant::control_sni, "control_sni"},
    {Variant::sni_split_tcp, "sni_split_tcp"},
    {Variant::sni_split_record, "sni_split_record"},
    {Variant::sni_case, "sni_case"},
    {Variant::sni_mss, "sni_mss"},
    {Variant::sni_large, "sni_large"},
    {Variant::control_large, "control_large"},
    {Variant::sni_chrome, "sni_chrome"},
    {Variant::control_chrome, "control_chrome"},
    {Variant::sni_firefox, "sni_firefox"},
    {Variant::control_firefox, "control_firefox"},
    {Variant::sni_ech, "sni_ech"},
    {Variant::control_ech, "control_ech"},
    {Variant::control_split_tcp, "control_split_tcp"},
    {Variant::http_host, "http_host"},
    {Variant::control_http, "control_http"},
    {Variant::full_verify, "full_verify"},
}};

constexpr std::array<std::pair<Variant, std::string_view>, 8> k_quic_names{{
    {Variant::quic_sni, "quic_sni"},
    {Variant::quic_no_sni, "quic_no_sni"},
    {Variant::quic_control, "quic_control"},
    {Variant::quic_sni_ech, "quic_sni_ech"},
    {Variant::quic_control_ech, "quic_control_ech"},
    {Variant::quic_version_ping, "quic_version_ping"},
    {Variant::quic_followup_same_port, "quic_followup_same_port"},
    {Variant::quic_followup_new_port, "quic_followup_new_port"},
}};

}  // namespace

std::string_view variant_name(Variant v) {
    for (const auto& [variant, name] : k_names)
        if (variant == v) return name;
    for (const auto& [variant, name] : k_quic_names)
        if (variant == v) return name;
    return "unknown";
}

std::optional<Variant> variant_from_name(std::string_view name) {
    for (const auto& [variant, n] : k_names)
        if (n == name) return variant;
    for (const auto& [variant, n] : k_quic_names)
        if (n == name) return variant;
    return std::nullopt;
}

const std::vector<Variant>& all_variants() {
    static const std::vector<Variant> k_all = [] {
        std::vector<Variant> v;
        for (const auto& [variant, name] : k_names) v.push_back(variant);
        return v;
    }();
    return k_all;
}

bool is_http_variant(Variant v) {
    return v == Variant::http_host || v == Variant::control_http;
}

bool names_target_in_hello(Variant v) {
    switch (v) {
        case Variant::sni:
        case Variant::sni_split_tcp:
        case Variant::sni_split_record:
        case Variant::sni_case:
        case Variant::sni_large:
        case Variant::sni_chrome:
        case Variant::sni_firefox:
        case Variant::sni_mss:
        case Variant::sni_ech:
        case Variant::full_verify:
            return true;
        default:
            return false;
    }
}

bool is_control_tls(Variant v) {
    switch (v) {
        case Variant::no_sni:
        case Variant::control_sni:
        case Variant::control_split_tcp:
        case Variant::control_large:
        case Variant::control_chrome:
        case Variant::control_firefox:
        case Variant::control_ech:
            return true;
        default:
            return false;
    }
}

bool is_ech_variant(Variant v) {
    return v == Variant::sni_ech || v == Variant::control_ech || v == Variant::quic_sni_ech ||
           v == Variant::quic_control_ech;
}

const std::vector<Variant>& browser_variants() {
    static const std::vector<Variant> k_browser{Variant::sni_chrome, Variant::control_chrome,
                                                Variant::sni_firefox, Variant::control_firefox};
    return k_browser;
}

const std::vector<Variant>& quic_variants() {
    static const std::vector<Variant> k_quic = [] {
        std::vector<Variant> v;
        for (const auto& [variant, name] : k_quic_names) v.push_back(variant);
        return v;
    }();
    return k_quic;
}

bool is_quic(Variant v) {
    for (const auto& [variant, name] : k_quic_names)
        if (variant == v) return true;
    return false;
}

}  // namespace sniprobe
