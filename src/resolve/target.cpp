// Target parsing: splits host and port, recognises IP literals (util/sockaddr, so
// "1.2.3" or "256.0.0.1" are not silently treated as names), converts internationalised
// names with libidn2 (NFC input, UTS#46 non-transitional, as browsers do) and checks the
// result against the LDH rules an SNI must follow: labels 1..63 bytes of [a-z0-9-], no
// hyphen at either end, 253 bytes in total, one trailing dot allowed and stripped. A name
// typed in punycode is held to the same rules: each `xn--` label must be an A-label
// libidn2 decodes to a valid IDNA name (`xn--a` is not: it decodes to U+0080).
#include "resolve/target.hpp"

#include <idn2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

#include "util/sockaddr.hpp"

namespace sniprobe {
namespace {

constexpr size_t k_max_name_bytes = 253;
constexpr size_t k_max_label_bytes = 63;

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Result<uint16_t> parse_port(std::string_view text, std::string_view input) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail("invalid port '" + std::string(text) + "' in '" + std::string(input) +
                    "': expected a number from 1 to 65535");
    unsigned long value = std::strtoul(std::string(text).c_str(), nullptr, 10);
    if (value < 1 || value > 65535)
        return fail("port " + std::string(text) + " out of range in '" + std::string(input) +
                    "': expected 1 to 65535");
    return static_cast<uint16_t>(value);
}

// Checks an ASCII (already punycoded, lowercased) host name against the LDH rules.
Result<void> check_ldh(std::string_view name, std::string_view input) {
    auto bad = [&](const std::string& why) {
        return fail("invalid host name '" + std::string(input) + "': " + why);
    };
    if (name.empty()) return bad("empty name");
    if (name.size() > k_max_name_bytes) return bad("longer than 253 bytes");
    size_t start = 0;
    std::string_view last_label;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        std::string_view label = name.substr(start, dot - start);
        if (label.empty()) return bad("empty label");
        if (label.size() > k_max_label_bytes) return bad("label longer than 63 bytes");
        if (label.front() == '-' || label.back() == '-')
            return bad("label '" + std::string(label) + "' starts or ends with a hyphen");
        for (char c : label) {
            bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok)
                return bad(std::string("character '") + c +
                           "' is not allowed (letters, digits and hyphens only)");
        }
        last_label = label;
        start = dot + 1;
    }
    if (std::all_of(last_label.begin(), last_label.end(),
                    [](char c) { return c >= '0' && c <= '9'; }))
        return bad("looks like an IP address but is not a valid one");
    return {};
}

// Each `xn--` label of an ASCII name must be a valid A-label: libidn2's lookup of the
// label decodes the punycode and checks the result as it checks a typed U-label.
Result<void> check_a_labels(std::string_view name, std::string_view input) {
    size_t start = 0;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        std::string label(name.substr(start, dot - start));
        start = dot + 1;
        if (!label.starts_with("xn--")) continue;
        char* out = nullptr;
        int rc = idn2_to_ascii_8z(label.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
        if (out) idn2_free(out);
        if (rc != IDN2_OK)
            return fail("invalid host name '" + std::string(input) + "': '" + label +
                        "' is not a valid A-label (punycode of an internationalised label): " +
                        idn2_strerror(rc) + "; type the name in Unicode or check its punycode");
    }
    return {};
}

Result<std::string> to_ascii_host(std::string_view host, std::string_view input) {
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    if (host.empty()) return fail("missing host name in '" + std::string(input) + "'");
    std::string ascii;
    if (is_ascii(host)) {
        ascii = to_lower(host);
        if (auto ok = check_ldh(ascii, input); !ok) return tl::unexpected(ok.error());
        if (auto ok = check_a_labels(ascii, input); !ok) return tl::unexpected(ok.error());
        return ascii;
    } else {
        std::string z(host);
        char* out = nullptr;
        int rc = idn2_to_ascii_8z(z.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
        if (rc != IDN2_OK) {
            if (out) idn2_free(out);
            return fail("invalid internationalised host name '" + std::string(input) +
                        "': " + idn2_strerror(rc));
        }
        ascii = to_lower(out);
        idn2_free(out);
        if (!ascii.empty() && ascii.back() == '.') ascii.pop_back();
    }
    if (auto ok = check_ldh(ascii, input); !ok) return tl::unexpected(ok.error());
    return ascii;
}

}  // namespace

bool is_plain_host_name(std::string_view text) {
    if (text.empty() || text.size() > k_max_name_bytes) return false;
    size_t start = 0;
    while (true) {
        size_t dot = text.find('.', start);
        const bool last = dot == std::string_view::npos;
        if (last) dot = text.size();
        const std::string_view label = text.substr(start, dot - start);
        if (label.empty() || label.size() > k_max_label_bytes) return false;
        if (label.front() == '-' || label.back() == '-' || label.starts_with("xn--")) return false;
        bool digits_only = true;
        for (char c : label) {
            const bool digit = c >= '0' && c <= '9';
            if (!digit && !(c >= 'a' && c <= 'z') && c != '-') return false;
            digits_only = digits_only && digit;
        }
        if (last) return !digits_only;  // all digits: parse_target calls it a bad address
        start = dot + 1;
    }
}

bool is_ip_literal(std::string_view text) {
    return socket_address_from_text(std::string(text), 0).has_value();
}

Result<std::string> parse_ip_literal(std::string_view text) {
    std::string z(text);
    if (z.size() > 2 && z.front() == '[' && z.back() == ']') z = z.substr(1, z.size() - 2);
    if (auto address = socket_address_from_text(z, 0)) return address_text(address->storage);
    return fail("'" + std::string(text) + "' is not an IPv4 or IPv6 address");
}

Result<Target> parse_target(std::string_view input, uint16_t default_port) {
    std::string_view rest = input;
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())))
        rest.remove_prefix(1);
    while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back())))
        rest.remove_suffix(1);
    for (std::string_view scheme : {"https://", "http://"})
        if (rest.size() >= scheme.size() && to_lower(rest.substr(0, scheme.size())) == scheme)
            rest.remove_prefix(scheme.size());
    if (auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
    if (rest.empty()) return fail("empty target: expected HOST, HOST:PORT or an IP address");

    Target target;
    target.input = std::string(input);
    target.port = default_port;
    std::string_view host = rest;

    if (rest.front() == '[') {  // [IPv6] or [IPv6]:PORT
        auto close = rest.find(']');
        if (close == std::string_view::npos)
            return fail("invalid target '" + std::string(input) + "': missing ']'");
        host = rest.substr(1, close - 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return fail("invalid target '" + std::string(input) +
                            "': expected ':PORT' after ']'");
            auto port = parse_port(after.substr(1), input);
            if (!port) return tl::unexpected(port.error());
            target.port = *port;
        }
        auto ip = parse_ip_literal(host);
        if (!ip || ip->find(':') == std::string::npos)
            return fail("invalid target '" + std::string(input) + "': '" + std::string(host) +
                        "' in brackets is not an IPv6 address");
        target.host = *ip;
    } else if (std::count(rest.begin(), rest.end(), ':') >= 2) {  // bare IPv6
        auto ip = parse_ip_literal(rest);
        if (!ip)
            return fail("invalid target '" + std::string(input) +
                        "': not an IPv6 address (write [IPv6]:PORT to give a port)");
        target.host = *ip;
    } else {
        if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
            auto port = parse_port(rest.substr(colon + 1), input);
            if (!port) return tl::unexpected(port.error());
            target.port = *port;
            host = rest.substr(0, colon);
        }
        if (auto ip = parse_ip_literal(host); ip && ip->find(':') == std::string::npos) {
            target.host = *ip;
        } else {
            auto ascii = to_ascii_host(host, input);
            if (!ascii) return tl::unexpected(ascii.error());
            target.host = *ascii;
            target.sni = *ascii;
        }
    }
    target.control_sni = default_control_sni(target);
    return target;
}

std::string default_control_sni(const Target& target) {
    // Well-known names reserved for documentation (RFC 2606): unrelated to any real
    // target, and served by a CDN, so a block list has no reason to name them.
    static constexpr std::array<std::string_view, 3> k_candidates{"example.com", "example.org",
                                                                  "example.net"};
    const std::string& host = target.host;
    auto related = [&](std::string_view candidate) {
        if (host == candidate) return true;
        if (host.size() > candidate.size() && host.ends_with(candidate) &&
            host[host.size() - candidate.size() - 1] == '.')
            return true;  // a subdomain of the candidate
        return false;
    };
    for (auto candidate : k_candidates)
        if (!related(candidate)) return std::string(candidate);
    return "example.edu";
}

}  // namespace sniprobe
