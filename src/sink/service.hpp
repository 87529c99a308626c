// What the sink answers, as a pure function of a parsed request, the connection table,
// the token and the clock: routes, authentication, query parameters, status codes. The
// event loop (server.cpp) only moves bytes; everything a test wants to check about
// "wrong token -> 401, no data" lives here and runs without a socket.
#pragma once

#include <string>
#include <string_view>

#include "sink/connection_table.hpp"
#include "sink/http_request.hpp"

namespace sniprobe::sink {

// A response before it is framed.
struct HttpResponse {
    int status = 200;
    std::string body;      // JSON
    std::string log_line;  // one line for the sink's log ("" = nothing to log)
};

// Answers one request from `peer`. Routes: GET /v1/health (no data, no token needed),
// GET /v1/connections?client=IP&since=T&until=T&limit=N (Bearer token required).
HttpResponse answer_request(const SinkRequest& request, const std::string& peer,
                            const ConnectionTable& table, std::string_view token, double now_unix);

// A short JSON error response ({"error": "..."}) with its log line.
HttpResponse error_response(int status, std::string_view message, std::string log_line = {});

// The bytes on the wire: status line, headers (Connection: close), body.
std::string frame_response(const HttpResponse& response);

}  // namespace sniprobe::sink
