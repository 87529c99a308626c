// What a server sent back to a forged ClientHello, read without OpenSSL: the first TLS
// record of the server's stream. A ServerHello or a HelloRetryRequest (RFC 8446 §4.1.3:
// a ServerHello whose random is the SHA-256 of "HelloRetryRequest") proves the hello got
// through and the server answered it; an alert says the server (or something pretending
// to be it) refused; anything else is garbage, named by what is wrong with it. The bytes
// are untrusted: every length is checked before it is read, and truncated input is
// "incomplete" (read more), never an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sniprobe::forge {

// What the first record holds.
enum class ReplyKind {
    incomplete,  // a valid prefix: more bytes may complete it
    server_hello,
    hello_retry_request,
    alert,
    anomaly,  // bytes that are none of the above (see ReplyAnomaly)
};

// Why the first record is not a ServerHello, HelloRetryRequest or alert.
enum class ReplyAnomaly {
    none,
    not_tls,                  // content type is not handshake (22) or alert (21)
    bad_record_version,       // record version major != 3
    record_too_long,          // record length beyond 2^14 + 2048
    bad_alert,                // alert record shorter or longer than 2 bytes
    not_server_hello,         // handshake type != 2
    fragmented_server_hello,  // the ServerHello continues past its first record
    truncated_body,           // a length inside the ServerHello points past its end
    bad_extensions,           // extensions do not fill their block exactly
    http_response,            // "HTTP/": a plain-HTTP server on a TLS port
};

std::string_view reply_kind_name(ReplyKind kind);
std::string_view reply_anomaly_name(ReplyAnomaly anomaly);

struct ServerReply {
    ReplyKind kind = ReplyKind::incomplete;
    ReplyAnomaly anomaly = ReplyAnomaly::none;
    uint16_t record_version = 0;
    uint16_t legacy_version = 0;    // server_hello / hrr: 0x0303 for TLS 1.3
    uint16_t selected_version = 0;  // supported_versions extension, 0 when absent
    uint16_t cipher_suite = 0;
    uint16_t key_share_group = 0;   // key_share (the selected group for an HRR), 0 when absent
    uint8_t alert_level = 0;        // alert
    uint8_t alert_description = 0;  // alert
    size_t record_bytes = 0;        // header + body of the first record (when complete)

    // The negotiated version: supported_versions when present, else the legacy version.
    uint16_t version() const { return selected_version ? selected_version : legacy_version; }
};

// Reads the first record at the start of the server's stream (bytes received so far).
ServerReply parse_server_reply(std::span<const uint8_t> stream);

}  // namespace sniprobe::forge
