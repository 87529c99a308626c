// Server reply parser: record header, then an alert (2 bytes) or a ServerHello whose
// fixed fields and extensions are walked with explicit bounds. Only supported_versions
// and key_share are read; other extensions are skipped by length.
#include "forge/server_reply.hpp"

#include <algorithm>
#include <array>

namespace sniprobe::forge {
namespace {

constexpr size_t k_record_header = 5;
constexpr size_t k_max_record = (1u << 14) + 2048;
// SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3.
constexpr std::array<uint8_t, 32> k_hrr_random{
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

uint16_t be16(std::span<const uint8_t> b, size_t at) {
    return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}

ServerReply anomaly(ServerReply r, ReplyAnomaly a) {
    r.kind = ReplyKind::anomaly;
    r.anomaly = a;
    return r;
}

// Parses a ServerHello body (after the 4-byte handshake header) into `r`.
ServerReply parse_hello_body(ServerReply r, std::span<const uint8_t> body) {
    // legacy_version(2) random(32) session_id<0..32> cipher(2) compression(1) [extensions]
    if (body.size() < 2 + 32 + 1) return anomaly(r, ReplyAnomaly::truncated_body);
    r.legacy_version = be16(body, 0);
    bool hrr = std::equal(k_hrr_random.begin(), k_hrr_random.end(), body.begin() + 2);
    size_t at = 34;
    size_t sid = body[at];
    if (sid > 32) return anomaly(r, ReplyAnomaly::truncated_body);
    at += 1 + sid;
    if (at + 3 > body.size()) return anomaly(r, ReplyAnomaly::truncated_body);
    r.cipher_suite = be16(body, at);
    at += 3;
    if (at < body.size()) {
        if (at + 2 > body.size()) return anomaly(r, ReplyAnomaly::truncated_body);
        size_t ext_len = be16(body, at);
        at += 2;
        if (at + ext_len != body.size()) return anomaly(r, ReplyAnomaly::bad_extensions);
        while (at < body.size()) {
            if (at + 4 > body.size()) return anomaly(r, ReplyAnomaly::bad_extensions);
            uint16_t type = be16(body, at);
            size_t len = be16(body, at + 2);
            at += 4;
            if (at + len > body.size()) return anomaly(r, ReplyAnomaly::bad_extensions);
            if (type == 0x002b) {
                if (len != 2) return anomaly(r, ReplyAnomaly::bad_extensions);
                r.selected_version = be16(body, at);
            } else if (type == 0x0033) {
                if (len < 2) return anomaly(r, ReplyAnomaly::bad_extensions);
                r.key_share_group = be16(body, at);
            }
            at += len;
        }
    }
    r.kind = hrr ? ReplyKind::hello_retry_request : ReplyKind::server_hello;
    return r;
}

}  // namespace

std::string_view reply_kind_name(ReplyKind kind) {
    switch (kind) {
        case ReplyKind::incomplete:
            return "incomplete";
        case ReplyKind::server_hello:
            return "server_hello";
        case ReplyKind::hello_retry_request:
            return "hello_retry_request";
        case ReplyKind::alert:
            return "alert";
        case ReplyKind::anomaly:
            return "anomaly";
    }
    return "unknown";
}

std::string_view reply_anomaly_name(ReplyAnomaly a) {
    switch (a) {
        case ReplyAnomaly::none:
            return "none";
        case ReplyAnomaly::not_tls:
            return "not_tls";
        case ReplyAnomaly::bad_record_version:
            return "bad_record_version";
        case ReplyAnomaly::record_too_long:
            return "record_too_long";
        case ReplyAnomaly::bad_alert:
            return "bad_alert";
        case ReplyAnomaly::not_server_hello:
            return "not_server_hello";
        case ReplyAnomaly::fragmented_server_hello:
            return "fragmented_server_hello";
        case ReplyAnomaly::truncated_body:
            return "truncated_body";
        case ReplyAnomaly::bad_extensions:
            return "bad_extensions";
        case ReplyAnomaly::http_response:
            return "http_response";
    }
    return "unknown";
}

ServerReply parse_server_reply(std::span<const uint8_t> stream) {
    ServerReply r;
    if (stream.empty()) return r;
    uint8_t type = stream[0];
    if (type != 21 && type != 22) {
        static constexpr std::string_view k_http = "HTTP/";
        size_t n = std::min(stream.size(), k_http.size());
        if (std::equal(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(n),
                       k_http.begin()))
            return n == k_http.size() ? anomaly(r, ReplyAnomaly::http_response) : r;
        return anomaly(r, ReplyAnomaly::not_tls);
    }
    if (stream.size() >= 2 && stream[1] != 3) return anomaly(r, ReplyAnomaly::bad_record_version);
    if (stream.size() < k_record_header) return r;
    r.record_version = be16(stream, 1);
    size_t len = be16(stream, 3);
    if (len > k_max_record) return anomaly(r, ReplyAnomaly::record_too_long);
    if (stream.size() < k_record_header + len) return r;
    r.record_bytes = k_record_header + len;
    auto body = stream.subspan(k_record_header, len);
    if (type == 21) {
        if (len != 2) return anomaly(r, ReplyAnomaly::bad_alert);
        r.kind = ReplyKind::alert;
        r.alert_level = body[0];
        r.alert_description = body[1];
        return r;
    }
    if (len < 4) return anomaly(r, ReplyAnomaly::truncated_body);
    if (body[0] != 2) return anomaly(r, ReplyAnomaly::not_server_hello);
    size_t hs_len = (size_t{body[1]} << 16) | (size_t{body[2]} << 8) | body[3];
    if (4 + hs_len > len) return anomaly(r, ReplyAnomaly::fragmented_server_hello);
    return parse_hello_body(r, body.subspan(4, hs_len));
}

}  // namespace sniprobe::forge
