// The client side of the sink channel, used by `diagnose --sink URL`: one blocking HTTP/1.1
// GET with a Bearer token, bounded in time (connect + whole answer) and in size, over
// plain TCP (the sink's records are not secret enough to need TLS in the lab; the token
// keeps strangers out — put the sink behind a tunnel on an untrusted network).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sink/records_json.hpp"
#include "util/result.hpp"

namespace sniprobe::sink {

// http://HOST:PORT[/prefix], split.
struct SinkUrl {
    std::string host;  // name or IP literal (brackets removed)
    uint16_t port = 0;
    std::string prefix;  // path before /v1/..., "" by default
};

// Parses a sink URL; only http:// is understood.
Result<SinkUrl> parse_sink_url(const std::string& url);

// What to ask for.
struct SinkQuery {
    std::string client;  // our address as the sink may see it ("" = every client)
    double since_unix = 0;
    double until_unix = 0;
};

// GET /v1/connections with the token; fails with a readable reason (unreachable,
// timeout, "the sink refused the token (401)", malformed answer).
Result<RecordsDocument> fetch_records(const SinkUrl& url, const std::string& token,
                                      const SinkQuery& query, int timeout_ms);

// An HTTP/1.x answer, split: the status code and exactly the body its Content-Length framed.
struct HttpAnswer {
    int status = 0;
    std::string_view body;  // points into the bytes given to parse_http_answer
};

// The largest answer fetch_records accepts (head and body).
inline constexpr size_t k_max_answer_bytes = size_t{64} << 20;

// Splits a whole answer (everything read until the sink closed the connection). Fails on
// a malformed status line or head, a missing, invalid or ambiguous Content-Length, a
// Transfer-Encoding (the sink never sends one), a length over k_max_answer_bytes, and a
// body shorter (truncated) or longer than its Content-Length.
Result<HttpAnswer> parse_http_answer(std::string_view answer);

// The source address this host would use to reach `address` (no packet is sent).
std::string local_address_towards(const std::string& address, uint16_t port);

}  // namespace sniprobe::sink
