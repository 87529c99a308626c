// The Observation of one probe: what the socket and the TLS library said, when, and the
// packets capture saw. A trial never judges itself; analysis/ and verdict/ do that.
// `failure` uses OONI's strings so people who know OONI's data feel at home:
// "" (success), "connection_refused", "connection_reset", "generic_timeout_error",
// "eof_error", "ssl_invalid_hostname", "ssl_unknown_authority",
// "ssl_invalid_certificate", "ssl_failed_handshake", "host_unreachable", ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/packet.hpp"
#include "model/variant.hpp"

namespace sniprobe {

// Result of verifying the server's chain (full_verify, or any completed handshake).
struct CertificateCheck {
    bool verified = false;
    // "" when verified, else one of: expired, not_yet_valid, name_mismatch,
    // chain_incomplete, untrusted, self_signed, other
    std::string problem;
    int openssl_code = 0;            // X509_V_ERR_*
    std::string openssl_message;     // X509_verify_cert_error_string
    std::vector<std::string> chain_subjects;  // as sent by the server, leaf first
    std::string leaf_not_after;      // ISO 8601
};

// One probe of one variant against one address.
struct Trial {
    int id = 0;                      // index in the run, stable within one report
    Variant variant = Variant::sni;
    std::string address;             // IP literal probed
    uint16_t port = 0;
    std::string server_name;         // SNI sent ("" for none; Host for http_host)
    uint16_t local_port = 0;         // our source port (keys the capture)

    double t0 = 0;                   // start, seconds since the run started
    double t = 0;                    // end, seconds since the run started
    std::optional<double> connect_ms;     // TCP handshake done, from t0
    std::optional<double> hello_sent_ms;  // last ClientHello byte written, from t0
    std::optional<double> first_byte_ms;  // first byte from the server, from t0
    std::optional<double> failure_ms;     // when the failure was seen, from t0

    std::string failure;             // OONI failure string; "" = success
    std::string failed_operation;    // "connect", "tls_handshake", "http_round_trip", ""

    // TLS facts (empty when not reached)
    std::string tls_version;         // "TLSv1.3"
    std::string cipher_suite;        // "TLS_AES_256_GCM_SHA384"
    std::string alpn;
    std::string alert_received;      // alert name, e.g. "unrecognized_name"
    bool server_hello_seen = false;  // the server's first flight began arriving
    size_t client_hello_bytes = 0;
    int client_hello_segments = 0;   // how many writes the ClientHello was sent in
    std::optional<CertificateCheck> certificate;

    // HTTP facts (http_host)
    std::optional<int> http_status;
    std::string http_server_header;
    std::string http_title;

    // What the wire showed (empty with --no-capture)
    bool captured = false;
    std::vector<PacketRecord> packets;
    std::vector<IcmpRecord> icmp;

    bool ok() const { return failure.empty(); }
};

}  // namespace sniprobe
