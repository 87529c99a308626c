// Request-head parsing and the constant-time token check (see http_request.hpp). The
// head ends at the first empty line ("\r\n\r\n"; a bare "\n\n" is accepted too, as
// curl never sends it but hand-typed probes do). Header names are case-insensitive;
// only Authorization is kept. Bytes outside printable ASCII in the request line make
// the request bad: the log line that names it must stay one readable line.
#include "sink/http_request.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace sniprobe::sink {

namespace {

RequestParse bad(std::string why) {
    RequestParse p;
    p.state = RequestState::bad;
    p.error = std::move(why);
    return p;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool printable(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Splits the head into lines (without their "\r\n" / "\n").
std::vector<std::string_view> split_lines(std::string_view head) {
    std::vector<std::string_view> lines;
    while (!head.empty()) {
        size_t nl = head.find('\n');
        std::string_view line = head.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (nl == std::string_view::npos) break;
        head.remove_prefix(nl + 1);
    }
    return lines;
}

bool parse_query(std::string_view q, std::map<std::string, std::string>& out) {
    while (!q.empty()) {
        size_t amp = q.find('&');
        std::string_view pair = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!name || !value) return false;
        out[*name] = *value;
    }
    return true;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

RequestParse parse_request(std::string_view bytes) {
    size_t end = bytes.find("\r\n\r\n");
    size_t end_len = 4;
    if (size_t alt = bytes.find("\n\n");
        alt != std::string_view::npos && (end == std::string_view::npos || alt < end)) {
        end = alt;
        end_len = 2;
    }
    if (end == std::string_view::npos) {
        if (bytes.size() >= k_max_request_bytes) return bad("request head larger than 8192 bytes");
        // Reject obvious garbage early instead of waiting for the timeout.
        size_t first_space = bytes.find(' ');
        std::string_view method = bytes.substr(0, std::min(first_space, bytes.size()));
        if (!method.empty() && !printable(method)) return bad("not an HTTP request");
        return {};
    }
    if (end + end_len > k_max_request_bytes) return bad("request head larger than 8192 bytes");
    auto lines = split_lines(bytes.substr(0, end));
    if (lines.empty() || lines.size() > k_max_header_lines) return bad("too many header lines");

    // Request line: METHOD SP TARGET SP HTTP/1.x
    std::string_view line = lines.front();
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return bad("malformed request line");
    std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                     version = line.substr(sp2 + 1);
    if (!printable(method) || !printable(target) || target.empty() || target.front() != '/')
        return bad("malformed request line");
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return bad("not HTTP/1.x");

    SinkRequest req;
    req.method = std::string(method);
    size_t qmark = target.find('?');
    auto path = percent_decode(target.substr(0, qmark), false);
    if (!path) return bad("malformed path");
    req.path = *path;
    if (qmark != std::string_view::npos && !parse_query(target.substr(qmark + 1), req.query))
        return bad("malformed query string");

    for (size_t i = 1; i < lines.size(); ++i) {
        std::string_view h = lines[i];
        size_t colon = h.find(':');
        if (colon == std::string_view::npos || colon == 0) return bad("malformed header line");
        if (!iequals(h.substr(0, colon), "authorization")) continue;
        std::string_view value = trim(h.substr(colon + 1));
        if (value.size() > 7 && iequals(value.substr(0, 7), "bearer "))
            req.bearer_token = std::string(trim(value.substr(7)));
        else
            req.bearer_token = std::string();  // present but not a bearer token: never matches
    }
    RequestParse p;
    p.state = RequestState::complete;
    p.request = std::move(req);
    return p;
}

bool token_matches(std::string_view presented, std::string_view expected) {
    unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), a);
    SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), b);
    // Both digests are always compared in full: the result depends on no early exit.
    bool equal = CRYPTO_memcmp(a, b, sizeof a) == 0;
    return equal && !expected.empty();
}

}  // namespace sniprobe::sink
