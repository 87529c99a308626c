// QUIC probes over UDP: each probe is one fresh UDP socket that sends its first flight
// (a client hello in Initials, or a version-negotiation ping) and reads what the server
// sends back until the answer is decided — a ServerHello (or HelloRetryRequest) in the
// server's Initial, a CONNECTION_CLOSE (with its TLS alert), a Version Negotiation, a
// Retry, an ICMP port unreachable (ECONNREFUSED on the connected socket), garbage, or the
// timeout. Probes run concurrently on one poll loop, each with its own deadline; a probe
// may start later than the others (a follow-up at +1 s) and may reuse the source port of
// an earlier probe (the 4-tuple of a trigger) once that one has finished. The loop stops
// at once on Ctrl-C (the interrupt pipe) and closes every socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "forge/hello_forge.hpp"
#include "forge/server_reply.hpp"
#include "quic/server_datagram.hpp"
#include "util/result.hpp"

namespace sniprobe::quic {

// What a probe sends first.
enum class ProbeKind { hello, version_ping };

// One probe to run.
struct ProbeRequest {
    ProbeKind kind = ProbeKind::hello;
    std::string address;  // IP literal
    uint16_t port = 443;
    std::string server_name;  // "" = no server_name extension
    forge::Shape shape = forge::Shape::chrome;
    forge::SniPlacement sni_placement = forge::SniPlacement::first;  // in the first Initial
    forge::EchGrease ech = forge::EchGrease::shape_default;
    uint16_t local_port = 0;             // 0 = a fresh ephemeral port
    std::optional<size_t> same_port_as;  // reuse the source port of that earlier probe
    int start_after_ms = 0;              // from the start of the run
    // Run only when that earlier probe got no answer (a later follow-up that only
    // confirms a block); otherwise the probe is skipped.
    std::optional<size_t> only_if_unanswered;
    int timeout_ms = 3000;  // from this probe's first datagram
};

// How a probe ended.
enum class ProbeOutcome {
    server_hello,         // the server's Initial carried a ServerHello
    hello_retry_request,  // ... or a HelloRetryRequest
    retry,                // a Retry packet (address validation): a live server
    version_negotiation,  // a VN packet (the expected answer to a version ping)
    connection_close,     // CONNECTION_CLOSE (tls_alert set when it carries one)
    refused,              // ICMP port unreachable
    anomaly,              // the server's datagrams could not be read (see anomaly)
    timeout,              // nothing decisive before the deadline
    local_error,          // the socket could not be opened, bound or written
};

std::string_view probe_outcome_name(ProbeOutcome outcome);

// What one probe saw.
struct ProbeResult {
    ProbeOutcome outcome = ProbeOutcome::timeout;
    uint16_t local_port = 0;
    double started_s = 0;  // monotonic, when the first datagram was sent
    double ended_s = 0;
    std::optional<double> first_reply_ms;  // from the first datagram sent
    size_t hello_bytes = 0;                // the ClientHello message (no record header)
    size_t datagrams_sent = 0;
    size_t datagrams_received = 0;
    bool handshake_seen = false;  // a Handshake packet came too
    forge::ServerReply reply;     // the server's first handshake message
    std::optional<ConnectionClose> close;
    std::optional<uint8_t> tls_alert;
    std::vector<uint32_t> offered_versions;
    QuicAnomaly anomaly = QuicAnomaly::none;
    std::string error;     // local_error: why
    bool skipped = false;  // only_if_unanswered: the earlier probe was answered
};

// Runs every request (at most `concurrency` in flight); results in request order. A probe
// whose `same_port_as` refers to a later or failed probe gets a fresh port.
std::vector<ProbeResult> run_probes(const std::vector<ProbeRequest>& requests, int concurrency);

}  // namespace sniprobe::quic
