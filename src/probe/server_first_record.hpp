// The server's first TLS record, read without OpenSSL, for ClientHello-only probes
// (HandshakeDepth::server_hello): a whole plaintext ServerHello record proves the server
// got our hello and answered, so the probe stops there and never pays for the key
// exchange or the certificate signature check. The quirk: in TLS 1.3 the ServerHello
// says 0x0303 and the real version hides in its supported_versions extension; a
// HelloRetryRequest is also a ServerHello (an answer all the same).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace sniprobe {

// What the first record of the server's stream says.
struct ServerFirstRecord {
    enum class Kind {
        incomplete,    // not a whole record yet
        server_hello,  // a handshake record that starts with a ServerHello
        alert,         // an alert record
        other,         // anything else: let OpenSSL judge the bytes
    };
    Kind kind = Kind::incomplete;
    std::string tls_version;     // "TLSv1.3" (server_hello, when readable)
    uint16_t cipher_suite = 0;   // IANA code (server_hello, when readable)
    int alert_description = -1;  // alert: the description byte
};

// Reads the first record at the start of `stream` (bytes received so far).
ServerFirstRecord read_server_first_record(std::span<const uint8_t> stream);

// "TLSv1.3" for 0x0304 (OpenSSL's SSL_get_version spelling); "" when unknown.
std::string tls_version_name(uint16_t version);

}  // namespace sniprobe
