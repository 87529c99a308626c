// The stable class ids of `sniprobe logs`: what one nginx error-log line says about a TLS
// handshake that failed. The quirk this table encodes: nginx names the *symptom on its
// own socket*, not the culprit. "peer closed connection in SSL handshake (104: Connection
// reset by peer)" means an RST reached the server mid-handshake; when the client says the
// server reset it too, neither end sent those RSTs. Ids are stable strings (never renamed,
// never reused), like the verdict causes of DESIGN.md §4.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sniprobe::logs {

// What a line says about a handshake; `other` is every line that is not about one.
enum class FailureClass : uint8_t {
    handshake_reset,           // an RST arrived during the handshake (errno 104)
    handshake_eof,             // the peer closed (FIN) in the middle of the handshake
    handshake_closed_early,    // the peer closed before sending a single byte
    handshake_timeout,         // no complete ClientHello within the timeout (errno 110)
    handshake_alert,           // the peer sent a TLS alert (SSL alert number N)
    handshake_protocol_error,  // the bytes were not TLS (plain HTTP, wrong version, garbage)
    handshake_mismatch,        // TLS, but nothing in common (no shared cipher, old protocol)
    handshake_rejected,        // the server refused on purpose (ssl_reject_handshake)
    handshake_ssl_error,       // another OpenSSL error while handshaking
    upstream_handshake,        // nginx's own handshake to an upstream failed
    other,                     // not about a TLS handshake
};

// Number of FailureClass values (array sizes).
inline constexpr std::size_t k_class_count = 11;

// Per-class counters, indexed by FailureClass.
using ClassCounts = std::array<uint64_t, k_class_count>;

// The stable id ("handshake_reset").
std::string_view class_id(FailureClass c);

// A few words for summaries ("reset mid-handshake").
std::string_view class_title(FailureClass c);

// One sentence: what the class means and what to suspect.
std::string_view class_explanation(FailureClass c);

// True for the classes counted as a failed handshake of a client to this server
// (everything but upstream_handshake and other).
bool is_handshake_failure(FailureClass c);

// Index of a class in ClassCounts.
constexpr std::size_t index(FailureClass c) {
    return static_cast<std::size_t>(c);
}

// The class of an OpenSSL reason string ("no shared cipher" -> handshake_mismatch); nullopt
// when the reason is not in the table (the caller then uses handshake_ssl_error).
std::optional<FailureClass> class_of_ssl_reason(std::string_view reason);

}  // namespace sniprobe::logs
