// Extracts the request line's method and the Host header from the first bytes of a
// plain-HTTP client->server stream, as a DPI box matching on Host does. The quirks:
// header names are case-insensitive, the Host value may carry a port and surrounding
// whitespace, the request may arrive split over TCP segments (a valid prefix is
// `incomplete`, not an error), and lines may end in LF alone. Untrusted bytes: every
// malformed input is a named anomaly, never UB.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sniprobe::wire {

// Why bytes are not (yet) an HTTP request with a Host.
enum class HttpAnomaly {
    none,
    incomplete,        // a valid prefix: more bytes may complete the header block
    not_http,          // the first line is not "METHOD SP target SP HTTP/x.y"
    bad_header,        // a header line without ':' or with a bad name
    no_host,           // a complete header block without a Host header
    duplicate_host,    // more than one Host header
    headers_too_long,  // no end of headers within k_max_http_header_bytes
};

// Header blocks longer than this are given up on (DPI boxes give up far earlier).
inline constexpr size_t k_max_http_header_bytes = 16 * 1024;

// Stable name of an anomaly ("no_host").
std::string_view http_anomaly_name(HttpAnomaly a);

// What the request says about where it is going.
struct HttpRequest {
    HttpAnomaly anomaly = HttpAnomaly::none;
    std::string method;  // "GET" (set once the request line is complete)
    std::string target;  // "/index.html"
    std::string host;    // Host value without port or whitespace, as sent (case kept)
    std::optional<uint16_t> host_port;  // the ":8080" of "Host: a.test:8080"
};

// Parses the start of a client->server stream; host is set iff anomaly == none.
HttpRequest parse_http_host(std::span<const uint8_t> stream);

}  // namespace sniprobe::wire
