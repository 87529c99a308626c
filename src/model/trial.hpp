// The Observation of one probe: what the socket and the TLS library said, when, and the
// packets capture saw. A trial never judges itself; analysis/ and verdict/ do that.
// `failure` is OONI's failure string as a Failure (model/failure.hpp: a code the rules
// compare, the text kept verbatim); `failed_operation` is OONI's operation name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/cert_problem.hpp"
#include "model/failure.hpp"
#include "model/names.hpp"
#include "model/packet.hpp"
#include "model/variant.hpp"

namespace sniprobe {

// The operation a trial failed in (OONI's failed_operation); none on success.
enum class FailedOperation { none, connect, tls_handshake, http_round_trip, quic_handshake };

// Result of verifying the server's chain (full_verify, or any completed handshake).
struct CertificateCheck {
    bool verified = false;
    CertProblem problem = CertProblem::none;
    int openssl_code = 0;                     // X509_V_ERR_*
    std::string openssl_message;              // X509_verify_cert_error_string
    std::vector<std::string> chain_subjects;  // as sent by the server, leaf first
    std::string leaf_not_after;               // ISO 8601
};

// One probe of one variant against one address.
struct Trial {
    int id = 0;  // index in the run, stable within one report
    Variant variant = Variant::sni;
    std::string address;  // IP literal probed
    uint16_t port = 0;
    std::string server_name;  // SNI sent ("" for none; Host for http_host)
    uint16_t local_port = 0;  // our source port (keys the capture)

    double t0 = 0;                        // start, seconds since the run started
    double t = 0;                         // end, seconds since the run started
    std::optional<double> connect_ms;     // TCP handshake done, from t0
    std::optional<double> hello_sent_ms;  // last ClientHello byte written, from t0
    std::optional<double> first_byte_ms;  // first byte from the server, from t0
    std::optional<double> failure_ms;     // when the failure was seen, from t0

    Failure failure;  // OONI failure; none = success
    FailedOperation failed_operation = FailedOperation::none;

    // TLS facts (empty when not reached)
    std::string tls_version;   // "TLSv1.3"
    std::string cipher_suite;  // "TLS_AES_256_GCM_SHA384"
    std::string alpn;
    std::string alert_received;      // alert name, e.g. "unrecognized_name"
    bool server_hello_seen = false;  // the server's first flight began arriving
    size_t client_hello_bytes = 0;
    int client_hello_segments = 0;  // how many writes the ClientHello was sent in
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
