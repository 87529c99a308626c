// Turning what the user typed into a Target: HOST, HOST:PORT, IPv4 literals, [IPv6]:PORT
// and bare IPv6 literals. The quirk: the SNI must be exactly what a browser would send —
// lowercase LDH labels, no trailing dot, internationalised names as punycode (UTS#46
// non-transitional, as browsers do: "faß.de" stays "xn--fa-hia.de", not "fass.de") — and
// an IP literal is never sent as SNI at all (RFC 6066 §3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/diagnosis.hpp"
#include "util/result.hpp"

namespace sniprobe {

// Parses a target ("example.com", "example.com:8443", "192.0.2.1", "[2001:db8::1]:443",
// "2001:db8::1", "bücher.example"); an "https://" prefix and a "/path" suffix are
// tolerated. Fills input, host, sni, port and control_sni; errors say what is wrong.
Result<Target> parse_target(std::string_view input, uint16_t default_port);

// True when `text` is a host name parse_target() would return unchanged as host and SNI,
// with the default port: lowercase LDH labels within the length limits, no `xn--` label,
// no trailing dot, a last label that is not all digits, nothing else (no port, scheme,
// path or space). The common line of a scan's input, checked without parse_target's
// copies; anything else must go through parse_target().
bool is_plain_host_name(std::string_view text);

// Validates an IP literal (for --ip); returns it in canonical text form.
Result<std::string> parse_ip_literal(std::string_view text);

// True when `text` is an IPv4 or IPv6 literal.
bool is_ip_literal(std::string_view text);

// A control server name plausibly unrelated to the target and its domain:
// "example.com", or "example.org" when the target is (under) example.com, ...
std::string default_control_sni(const Target& target);

}  // namespace sniprobe
