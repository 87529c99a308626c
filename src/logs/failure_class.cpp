// Names, explanations and the OpenSSL-reason table behind FailureClass. The reasons are
// the strings OpenSSL puts after the last colon of an error entry ("error:0A0000C1:SSL
// routines::no shared cipher" in OpenSSL 3, "error:1408A0C1:SSL routines:ssl3_get_client_
// hello:no shared cipher" in 1.1): the same words across versions, so they classify lines
// from either. Alerts are not here: a line with "SSL alert number N" is an alert whatever
// its reason says.
#include "logs/failure_class.hpp"

#include <utility>

namespace sniprobe::logs {
namespace {

struct ClassInfo {
    std::string_view id;
    std::string_view title;
    std::string_view explanation;
};

constexpr std::array<ClassInfo, k_class_count> k_classes{{
    {"handshake_reset", "reset mid-handshake",
     "The client's RST arrived mid-handshake; if the client reports that the server reset, "
     "something "
     "between you reset both ends."},
    {"handshake_eof", "closed mid-handshake",
     "The client's FIN arrived after part of the handshake: the client gave up, or a device on the "
     "path "
     "closed the connection for it."},
    {"handshake_closed_early", "closed before the ClientHello",
     "The connection closed before the first TLS byte: health checks and port scanners do this, "
     "and so "
     "does a device that cuts the flow before the ClientHello reaches the server."},
    {"handshake_timeout", "handshake timed out",
     "No complete handshake arrived within nginx's timeout: the client stalled, or its packets "
     "were "
     "dropped on the way (a black-holing device leaves exactly this)."},
    {"handshake_alert", "client sent a TLS alert",
     "The client ended the handshake with a TLS alert: usually it does not accept the certificate "
     "(alert 48 unknown_ca, 42 bad_certificate, 46 certificate_unknown)."},
    {"handshake_protocol_error", "not TLS",
     "The bytes that arrived were not a TLS handshake (plain HTTP to the TLS port, a wrong record "
     "version, garbage): scanners, misconfigured clients, or a device that rewrote the stream."},
    {"handshake_mismatch", "nothing in common",
     "Client and server share no protocol version, cipher, group or signature algorithm: old "
     "clients, "
     "or a server configuration that is too strict."},
    {"handshake_rejected", "rejected by the server",
     "The server refused the handshake on purpose (ssl_reject_handshake, or no server block for "
     "the "
     "name)."},
    {"handshake_ssl_error", "other TLS error",
     "OpenSSL failed the handshake for another reason; the reason column has OpenSSL's words."},
    {"upstream_handshake", "upstream handshake failed",
     "nginx's own TLS handshake to an upstream failed: a problem between nginx and its backend, "
     "not "
     "with the client."},
    {"other", "not a handshake line", "Lines that are not about a TLS handshake."},
}};

// OpenSSL reason strings and their class. Unknown reasons become handshake_ssl_error.
constexpr std::pair<std::string_view, FailureClass> k_ssl_reasons[] = {
    {"wrong version number", FailureClass::handshake_protocol_error},
    {"unknown protocol", FailureClass::handshake_protocol_error},
    {"http request", FailureClass::handshake_protocol_error},
    {"https proxy request", FailureClass::handshake_protocol_error},
    {"unexpected message", FailureClass::handshake_protocol_error},
    {"unexpected record", FailureClass::handshake_protocol_error},
    {"packet length too long", FailureClass::handshake_protocol_error},
    {"record length mismatch", FailureClass::handshake_protocol_error},
    {"length mismatch", FailureClass::handshake_protocol_error},
    {"bad packet length", FailureClass::handshake_protocol_error},
    {"record layer failure", FailureClass::handshake_protocol_error},
    {"excessive message size", FailureClass::handshake_protocol_error},
    {"bad extension", FailureClass::handshake_protocol_error},
    {"parse tlsext", FailureClass::handshake_protocol_error},
    {"decryption failed or bad record mac", FailureClass::handshake_protocol_error},
    {"unsupported protocol", FailureClass::handshake_mismatch},
    {"version too low", FailureClass::handshake_mismatch},
    {"version too high", FailureClass::handshake_mismatch},
    {"no protocols available", FailureClass::handshake_mismatch},
    {"no shared cipher", FailureClass::handshake_mismatch},
    {"no ciphers available", FailureClass::handshake_mismatch},
    {"no shared signature algorithms", FailureClass::handshake_mismatch},
    {"no suitable signature algorithm", FailureClass::handshake_mismatch},
    {"no shared groups", FailureClass::handshake_mismatch},
    {"no suitable key share", FailureClass::handshake_mismatch},
    {"inappropriate fallback", FailureClass::handshake_mismatch},
    {"no application protocol", FailureClass::handshake_mismatch},
    {"unsafe legacy renegotiation disabled", FailureClass::handshake_mismatch},
    {"unexpected eof while reading", FailureClass::handshake_eof},
};

}  // namespace

std::string_view class_id(FailureClass c) {
    return k_classes[index(c)].id;
}

std::string_view class_title(FailureClass c) {
    return k_classes[index(c)].title;
}

std::string_view class_explanation(FailureClass c) {
    return k_classes[index(c)].explanation;
}

bool is_handshake_failure(FailureClass c) {
    return c != FailureClass::upstream_handshake && c != FailureClass::other;
}

std::optional<FailureClass> class_of_ssl_reason(std::string_view reason) {
    for (const auto& [text, cls] : k_ssl_reasons) {
        if (text == reason) return cls;
    }
    return std::nullopt;
}

}  // namespace sniprobe::logs
