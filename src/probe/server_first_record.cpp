// Reading the server's first record (see server_first_record.hpp). Bounds are checked at
// every step: the bytes come from the network, and a short or odd ServerHello still
// counts as an answer (kind server_hello) with the fields left empty.
#include "probe/server_first_record.hpp"
#include "wire/big_endian.hpp"

#include <algorithm>

namespace sniprobe {
namespace {

using wire::be16;

constexpr uint8_t k_record_handshake = 22;
constexpr uint8_t k_record_alert = 21;
constexpr uint8_t k_handshake_server_hello = 2;
constexpr uint16_t k_ext_supported_versions = 0x002b;
constexpr size_t k_record_header_bytes = 5;

// Fills version and cipher from a ServerHello body (after the 4-byte handshake header).
void read_server_hello(std::span<const uint8_t> body, ServerFirstRecord& out) {
    size_t at = 0;
    if (body.size() < 2 + 32 + 1) return;
    uint16_t version = be16(body, 0);
    at = 2 + 32;
    size_t session_id_len = body[at];
    at += 1 + session_id_len;
    if (body.size() < at + 3) return;
    out.cipher_suite = be16(body, at);
    at += 3;  // cipher suite + compression method
    if (body.size() >= at + 2) {
        size_t ext_end = std::min(body.size(), at + 2 + be16(body, at));
        at += 2;
        while (at + 4 <= ext_end) {
            uint16_t type = be16(body, at);
            size_t len = be16(body, at + 2);
            at += 4;
            if (at + len > ext_end) break;
            if (type == k_ext_supported_versions && len == 2) version = be16(body, at);
            at += len;
        }
    }
    out.tls_version = tls_version_name(version);
}

}  // namespace

std::string tls_version_name(uint16_t version) {
    switch (version) {
        case 0x0304:
            return "TLSv1.3";
        case 0x0303:
            return "TLSv1.2";
        case 0x0302:
            return "TLSv1.1";
        case 0x0301:
            return "TLSv1";
        case 0x0300:
            return "SSLv3";
        default:
            return "";
    }
}

ServerFirstRecord read_server_first_record(std::span<const uint8_t> stream) {
    ServerFirstRecord out;
    if (stream.size() < k_record_header_bytes) return out;
    const uint8_t type = stream[0];
    if ((type != k_record_handshake && type != k_record_alert) || stream[1] != 3) {
        out.kind = ServerFirstRecord::Kind::other;
        return out;
    }
    const size_t length = be16(stream, 3);
    if (stream.size() < k_record_header_bytes + length) return out;
    auto fragment = stream.subspan(k_record_header_bytes, length);
    if (type == k_record_alert) {
        if (fragment.size() < 2) {
            out.kind = ServerFirstRecord::Kind::other;
            return out;
        }
        out.kind = ServerFirstRecord::Kind::alert;
        out.alert_description = fragment[1];
        return out;
    }
    if (fragment.empty() || fragment[0] != k_handshake_server_hello) {
        out.kind = ServerFirstRecord::Kind::other;
        return out;
    }
    out.kind = ServerFirstRecord::Kind::server_hello;
    if (fragment.size() >= 4) {
        size_t declared = (size_t{fragment[1]} << 16) | (size_t{fragment[2]} << 8) | fragment[3];
        auto body = fragment.subspan(4);
        read_server_hello(body.first(std::min(body.size(), declared)), out);
    }
    return out;
}

}  // namespace sniprobe
