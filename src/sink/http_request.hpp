// The sink's request parser: an HTTP/1.1 request head from an untrusted peer, read
// incrementally. Only what the sink serves is understood — a request line, a query
// string and the Authorization header — and everything is bounded: the head's size,
// the number of header lines, the length of a query value. Anything else is `bad`
// with a reason for the log line, never an exception or an out-of-bounds read.
// The token check compares SHA-256 digests with CRYPTO_memcmp, so neither the
// token's bytes nor its length leak through timing.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sniprobe::sink {

inline constexpr size_t k_max_request_bytes = 8192;
inline constexpr size_t k_max_header_lines = 64;

// Whether the bytes so far hold a whole request head.
enum class RequestState { incomplete, complete, bad };

// A parsed request head.
struct SinkRequest {
    std::string method;                        // "GET"
    std::string path;                          // "/v1/connections" (percent-decoded)
    std::map<std::string, std::string> query;  // decoded name -> value (last wins)
    std::optional<std::string> bearer_token;   // from "Authorization: Bearer <token>"
};

// The outcome of parsing the bytes received so far.
struct RequestParse {
    RequestState state = RequestState::incomplete;
    std::optional<SinkRequest> request;  // set iff complete
    std::string error;                   // why bad (for the log line)
};

// Parses a request head from the bytes received so far (more may follow).
RequestParse parse_request(std::string_view bytes);

// Percent-decodes a URL component ('+' is a space in the query); nullopt when malformed.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// True when `presented` equals `expected`, in time independent of where they differ.
bool token_matches(std::string_view presented, std::string_view expected);

}  // namespace sniprobe::sink
