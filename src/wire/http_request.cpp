// HTTP/1.x request-line and Host extraction for the middlebox's Host match. The parse
// is strict about the request line (a DPI box that mistakes TLS bytes on port 80 for
// HTTP would be a bug) and tolerant where real clients differ: bare LF line endings,
// any header-name case, optional whitespace around the value. An incomplete request
// line is checked as far as it goes, so non-HTTP bytes are rejected on the first
// segment instead of being buffered until the size limit.
#include "wire/http_request.hpp"

#include <algorithm>
#include <charconv>

namespace sniprobe::wire {
namespace {

constexpr size_t k_max_method_bytes = 20;

// RFC 9110 tchar: the characters of a method or a header name.
bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool all_tchar(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Splits off the next line (without CR LF / LF); nullopt when no LF is present yet.
std::optional<std::string_view> next_line(std::string_view& rest) {
    const size_t lf = rest.find('\n');
    if (lf == std::string_view::npos) return std::nullopt;
    std::string_view line = rest.substr(0, lf);
    rest.remove_prefix(lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

// Could `partial` (no LF yet) still become a request line?
bool plausible_request_prefix(std::string_view partial) {
    const size_t space = partial.find(' ');
    const std::string_view method = partial.substr(0, std::min(space, partial.size()));
    if (method.size() > k_max_method_bytes) return false;
    if (!method.empty() && !std::all_of(method.begin(), method.end(), is_tchar)) return false;
    return space != 0;
}

// "METHOD SP target SP HTTP/d.d".
bool parse_request_line(std::string_view line, HttpRequest& out) {
    const size_t first = line.find(' ');
    if (first == std::string_view::npos) return false;
    const size_t second = line.find(' ', first + 1);
    if (second == std::string_view::npos) return false;
    const std::string_view method = line.substr(0, first);
    const std::string_view target = line.substr(first + 1, second - first - 1);
    const std::string_view version = line.substr(second + 1);
    if (!all_tchar(method) || method.size() > k_max_method_bytes || target.empty()) return false;
    if (std::any_of(target.begin(), target.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20; })) {
        return false;
    }
    const bool version_ok = version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
                            version[5] >= '0' && version[5] <= '9' && version[6] == '.' &&
                            version[7] >= '0' && version[7] <= '9';
    if (!version_ok) return false;
    out.method = method;
    out.target = target;
    return true;
}

// Splits "name:8080" / "[fd77::2]:80" into host and port; false on a bad port.
bool split_host_port(std::string_view value, HttpRequest& out) {
    std::string_view host = value;
    std::string_view port;
    if (!value.empty() && value.front() == '[') {
        const size_t close = value.find(']');
        if (close == std::string_view::npos) return false;
        host = value.substr(0, close + 1);
        std::string_view after = value.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return false;
            port = after.substr(1);
        }
    } else if (const size_t colon = value.rfind(':'); colon != std::string_view::npos) {
        host = value.substr(0, colon);
        port = value.substr(colon + 1);
    }
    if (!port.empty()) {
        uint16_t number = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
        if (ec != std::errc{} || end != port.data() + port.size()) return false;
        out.host_port = number;
    }
    out.host = host;
    return true;
}

}  // namespace

std::string_view http_anomaly_name(HttpAnomaly a) {
    switch (a) {
        case HttpAnomaly::none:
            return "none";
        case HttpAnomaly::incomplete:
            return "incomplete";
        case HttpAnomaly::not_http:
            return "not_http";
        case HttpAnomaly::bad_header:
            return "bad_header";
        case HttpAnomaly::no_host:
            return "no_host";
        case HttpAnomaly::duplicate_host:
            return "duplicate_host";
        case HttpAnomaly::headers_too_long:
            return "headers_too_long";
    }
    return "unknown";
}

HttpRequest parse_http_host(std::span<const uint8_t> stream) {
    HttpRequest out;
    const size_t usable = std::min(stream.size(), k_max_http_header_bytes);
    std::string_view rest(reinterpret_cast<const char*>(stream.data()), usable);
    const bool may_grow = stream.size() < k_max_http_header_bytes;
    auto out_of_bytes = [&](HttpRequest& r) {
        r.anomaly = may_grow ? HttpAnomaly::incomplete : HttpAnomaly::headers_too_long;
        r.host.clear();
        r.host_port.reset();
        return r;
    };

    const auto request_line = next_line(rest);
    if (!request_line) {
        if (!plausible_request_prefix(rest))
            out.anomaly = HttpAnomaly::not_http;
        else
            return out_of_bytes(out);
        return out;
    }
    if (!parse_request_line(*request_line, out)) {
        out.anomaly = HttpAnomaly::not_http;
        return out;
    }
    bool have_host = false;
    for (;;) {
        const auto line = next_line(rest);
        if (!line) return out_of_bytes(out);
        if (line->empty()) break;  // end of the header block
        const size_t colon = line->find(':');
        if (colon == std::string_view::npos || !all_tchar(line->substr(0, colon))) {
            out.anomaly = HttpAnomaly::bad_header;  // also catches obsolete line folding
            out.host.clear();
            out.host_port.reset();
            return out;
        }
        if (!iequals(line->substr(0, colon), "host")) continue;
        if (have_host) {
            out.anomaly = HttpAnomaly::duplicate_host;
            out.host.clear();
            out.host_port.reset();
            return out;
        }
        have_host = true;
        if (!split_host_port(trim(line->substr(colon + 1)), out)) {
            out.anomaly = HttpAnomaly::bad_header;
            return out;
        }
    }
    if (!have_host) out.anomaly = HttpAnomaly::no_host;
    return out;
}

}  // namespace sniprobe::wire
