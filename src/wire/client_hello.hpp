// TLS ClientHello parser for a reassembled client->server byte stream. The hello may
// span several TLS records (record splitting) and the stream may arrive in several TCP
// segments; callers feed the bytes in order and ask whether a full hello is present.
// Malformed or truncated input gives a typed anomaly, never UB: this parses bytes an
// adversary (or a broken client) chose.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sniprobe::wire {

// Why bytes are not (yet) a ClientHello.
enum class HelloAnomaly {
    none,
    incomplete,               // a valid prefix: more bytes may complete it
    not_tls,                  // first byte is not a handshake record (0x16)
    bad_record_version,       // record version major != 3
    record_too_long,          // record length > 2^14 + 2048
    not_client_hello,         // handshake type != 1
    handshake_too_long,       // declared length beyond any sane hello (> 64 KiB)
    truncated_body,           // a length field points past the hello's end
    bad_extension_block,      // extensions do not fill their declared block exactly
    bad_server_name,          // server_name extension malformed
    duplicate_extension,      // the same extension type twice
    interleaved_record,       // a non-handshake record inside the hello's records
    bad_session_id,           // legacy_session_id longer than 32 bytes
    bad_cipher_suites,        // cipher_suites empty or of odd length
    bad_compression_methods,  // legacy_compression_methods empty
    bad_extension_body,  // ALPN / supported_versions / key_share / supported_groups body malformed
};

// Stable name of an anomaly ("truncated_body").
std::string_view hello_anomaly_name(HelloAnomaly a);

// One extension as it appeared, in order.
struct HelloExtension {
    uint16_t type = 0;
    uint16_t length = 0;
};

// Everything sniprobe reads from a ClientHello.
struct ClientHello {
    uint16_t record_version = 0;  // first record's legacy version (0x0301 typical)
    uint16_t legacy_version = 0;  // client_version in the hello (0x0303)
    int record_count = 0;         // TLS records the hello spanned
    size_t hello_length = 0;      // handshake message length (body)
    size_t stream_bytes = 0;  // stream bytes up to the hello's last byte, record headers included
    std::vector<std::string> server_names;  // every host_name entry, as sent
    std::vector<std::string> alpn;          // protocol names
    std::vector<uint16_t> supported_versions;
    std::vector<uint16_t> key_share_groups;
    std::vector<uint16_t> supported_groups;  // supported_groups (10), in order
    std::vector<uint16_t> cipher_suites;
    std::vector<HelloExtension> extensions;  // in order
    // Offset of the first SNI host_name's bytes in the stream (for splitting inside it).
    std::optional<size_t> sni_offset;
    uint8_t session_id_length = 0;  // legacy_session_id length (32 for TLS 1.3 middlebox compat)

    // The first SNI name, or "" when there is none.
    std::string_view sni() const {
        return server_names.empty() ? std::string_view{} : server_names.front();
    }
};

// Result of a parse: a hello, or an anomaly saying why not.
struct HelloParse {
    HelloAnomaly anomaly = HelloAnomaly::none;
    std::optional<ClientHello> hello;  // set iff anomaly == none
};

// Parses the start of a client->server stream. `incomplete` means "feed more bytes".
HelloParse parse_client_hello(std::span<const uint8_t> stream);

// Middlebox fast path: the first SNI host_name as soon as its bytes are present, even
// when the rest of the hello has not arrived (what a DPI box that reads only the first
// segment can see). nullopt when there is no SNI (yet) or the bytes are malformed.
// Allocates only for the returned name (and to join a hello split across records).
std::optional<std::string> quick_sni(std::span<const uint8_t> stream);

// Middlebox fast path: the types of the extensions whose headers are present, in order,
// even when the hello is cut short (a hello spread over two QUIC Initials, read from the
// first): what a box that reads one packet knows of the hello's extensions. Empty when the
// bytes are malformed before the extensions.
std::vector<uint16_t> quick_extension_types(std::span<const uint8_t> stream);

}  // namespace sniprobe::wire
