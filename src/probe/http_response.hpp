// What http_host records from a plain-HTTP answer: the status, the Server header and the
// page <title>. A block page injected by a middlebox gives itself away here ("Server:
// Beaver", "Non-compliance ICP Filing"). The bytes come from the network (or from the
// box impersonating the origin), so the parser accepts any bytes and never reads past them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sniprobe {

// Facts read from the start of an HTTP/1.x response.
struct HttpFacts {
    std::optional<int> status;      // from the status line
    std::string server;             // Server header value, trimmed
    std::string title;              // <title> text, whitespace collapsed, at most 200 bytes
    bool headers_complete = false;  // the blank line after the headers was seen
    bool title_complete = false;    // </title> was seen (no need to read further)
};

// Parses what has arrived so far (call again with more bytes).
HttpFacts parse_http_response(std::string_view bytes);

// The request http_host sends: GET / with Host, Connection: close.
std::string http_request_for(std::string_view host);

}  // namespace sniprobe
