// Minimal HTTP/1.x response reading for http_host: status line, the Server header, and
// the <title> found anywhere in the body (case-insensitive tags). Header names match
// case-insensitively; a status outside 100..999 counts as no status.
#include "probe/http_response.hpp"

#include <algorithm>
#include <cctype>

namespace sniprobe {
namespace {

constexpr size_t k_max_title_bytes = 200;

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::optional<int> parse_status_line(std::string_view line) {
    if (line.substr(0, 5) != "HTTP/") return std::nullopt;
    auto space = line.find(' ');
    if (space == std::string_view::npos || space + 4 > line.size()) return std::nullopt;
    int status = 0;
    for (size_t i = space + 1; i < space + 4; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(line[i]))) return std::nullopt;
        status = status * 10 + (line[i] - '0');
    }
    if (status < 100) return std::nullopt;
    return status;
}

}  // namespace

HttpFacts parse_http_response(std::string_view bytes) {
    HttpFacts facts;
    size_t pos = 0;
    bool first = true;
    while (pos < bytes.size()) {
        size_t eol = bytes.find('\n', pos);
        if (eol == std::string_view::npos) break;  // incomplete line: wait for more
        std::string_view line = bytes.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = eol + 1;
        if (first) {
            facts.status = parse_status_line(line);
            first = false;
            if (!facts.status) return facts;
            continue;
        }
        if (line.empty()) {
            facts.headers_complete = true;
            break;
        }
        auto colon = line.find(':');
        if (colon != std::string_view::npos && lower(trim(line.substr(0, colon))) == "server")
            facts.server = std::string(trim(line.substr(colon + 1)));
    }
    if (!facts.headers_complete) return facts;

    std::string body = lower(bytes.substr(pos));
    auto open = body.find("<title");
    if (open == std::string::npos) return facts;
    auto gt = body.find('>', open);
    if (gt == std::string::npos) return facts;
    auto close = body.find("</title", gt);
    facts.title_complete = close != std::string::npos;
    std::string_view raw =
        bytes.substr(pos + gt + 1, (facts.title_complete ? close : body.size()) - gt - 1);
    bool space = false;
    for (char c : trim(raw)) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = true;
            continue;
        }
        bool separator = space && !facts.title.empty();
        if (facts.title.size() + (separator ? 2 : 1) > k_max_title_bytes) break;
        if (separator) facts.title += ' ';
        space = false;
        facts.title += c;
    }
    return facts;
}

std::string http_request_for(std::string_view host) {
    std::string request = "GET / HTTP/1.1\r\nHost: ";
    request += host;
    request += "\r\nUser-Agent: sniprobe/0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n";
    return request;
}

}  // namespace sniprobe
