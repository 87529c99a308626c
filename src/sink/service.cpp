// The sink's routes (see service.hpp). A refused request gets a fixed body that names
// no record, and one log line naming the peer and the reason — the operator sees who
// tried, the peer learns nothing. Query numbers are parsed strictly: a bad `since`
// is a 400, not "since the epoch".
#include "sink/service.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <limits>

#include "sink/records_json.hpp"

namespace sniprobe::sink {

namespace {

constexpr size_t k_max_limit = 100000;

const char* reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 503:
            return "Service Unavailable";
        default:
            return "Error";
    }
}

bool parse_double(const std::string& s, double& out) {
    if (s.empty() || s.size() > 32) return false;
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || errno != 0 || !(v == v)) return false;
    out = v;
    return true;
}

bool parse_size(const std::string& s, size_t& out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// A value from the peer, safe to put in a log line (no control bytes, bounded).
std::string loggable(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 64)) out.push_back(c > 0x20 && c < 0x7f ? c : '?');
    return out;
}

}  // namespace

HttpResponse error_response(int status, std::string_view message, std::string log_line) {
    HttpResponse r;
    r.status = status;
    r.body = nlohmann::json{{"error", message}}.dump();
    r.log_line = std::move(log_line);
    return r;
}

HttpResponse answer_request(const SinkRequest& request, const std::string& peer,
                            const ConnectionTable& table, std::string_view token, double now_unix) {
    if (request.method != "GET") return error_response(405, "only GET is served");
    if (request.path == "/v1/health") {
        HttpResponse r;
        r.body = R"({"status":"ok"})";
        return r;
    }
    if (request.path != "/v1/connections") return error_response(404, "no such resource");

    if (!request.bearer_token)
        return error_response(
            401, "a Bearer token is required",
            fmt::format("sink: refused {} from {}: no token", request.path, peer));
    if (!token_matches(*request.bearer_token, token))
        return error_response(
            401, "wrong token",
            fmt::format("sink: refused {} from {}: wrong token", request.path, peer));

    std::string client;
    double since = 0, until = std::numeric_limits<double>::max();
    size_t limit = k_max_limit;
    const auto& q = request.query;
    if (auto it = q.find("client"); it != q.end()) client = it->second;
    if (auto it = q.find("since"); it != q.end() && !parse_double(it->second, since))
        return error_response(400, "since must be seconds since the epoch");
    if (auto it = q.find("until"); it != q.end() && !parse_double(it->second, until))
        return error_response(400, "until must be seconds since the epoch");
    if (auto it = q.find("limit"); it != q.end() && !parse_size(it->second, limit))
        return error_response(400, "limit must be a whole number");
    limit = std::min(limit, k_max_limit);

    auto records = table.query(client, since, until, limit);
    HttpResponse r;
    r.body = encode_records(records, now_unix);
    r.log_line = fmt::format("sink: served {} records to {} (client={})", records.size(), peer,
                             client.empty() ? "any" : loggable(client));
    return r;
}

std::string frame_response(const HttpResponse& response) {
    return fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n"
        "Cache-Control: no-store\r\nConnection: close\r\n{}\r\n{}",
        response.status, reason_phrase(response.status), response.body.size(),
        response.status == 401 ? "WWW-Authenticate: Bearer realm=\"sniprobe-sink\"\r\n" : "",
        response.body);
}

}  // namespace sniprobe::sink
