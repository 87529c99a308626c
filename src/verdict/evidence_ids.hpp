// The one table of evidence ids a verdict may cite (DESIGN.md §4). An id is a stable
// string in the JSON: once published it keeps its meaning forever, and a retired id is
// never reused for something else (add a new one instead). Each entry carries the
// meaning docs/json.md lists; tests check that ids are unique and that every id a rule
// emits is in k_all_evidence_ids.
#pragma once

#include <array>

namespace sniprobe {

// A stable evidence id and what it asserts.
struct EvidenceId {
    const char* id;
    const char* meaning;
};

namespace evidence {
// Differential rates (the exact test: target name vs no_sni + control_sni).
inline constexpr EvidenceId sni_reset_rate{"E_SNI_RESET_RATE",
                                           "handshakes naming the target are reset significantly "
                                           "more often than the controls (one-sided Fisher p)"};
inline constexpr EvidenceId sni_timeout_rate{
    "E_SNI_TIMEOUT_RATE",
    "handshakes naming the target time out significantly more often than the controls"};
inline constexpr EvidenceId sni_eof_rate{
    "E_SNI_EOF_RATE",
    "handshakes naming the target end with a FIN (eof) significantly more often than the controls"};
inline constexpr EvidenceId control_ok{
    "E_CONTROL_OK",
    "the controls (no SNI, an unrelated SNI) got a ServerHello: the path to the server is open"};
inline constexpr EvidenceId control_failures{
    "E_CONTROL_FAILURES", "some control handshakes failed too, which lowers confidence"};
inline constexpr EvidenceId residual_blocking{
    "E_RESIDUAL_BLOCKING",
    "controls failed only after the target name had triggered: the address/port stays blocked for "
    "a while"};
inline constexpr EvidenceId sporadic_failures{
    "E_SPORADIC_FAILURES", "a few target handshakes failed, too few to be told apart from chance"};
inline constexpr EvidenceId no_controls{
    "E_NO_CONTROLS",
    "no control variant ran, so name-based interference cannot be told from a server problem"};
inline constexpr EvidenceId target_ok{"E_TARGET_OK", "handshakes naming the target succeed"};
inline constexpr EvidenceId not_tls_answer{
    "E_NOT_TLS_ANSWER",
    "the server answered the ClientHello in plain text (an HTTP page or error), not TLS: the port "
    "does not speak TLS"};

// RST / FIN forensics (analysis/rst_forensics).
inline constexpr EvidenceId rst_injected{"E_RST_INJECTED",
                                         "the RSTs do not match the server's SYN-ACK fingerprint "
                                         "(TTL, IP ID, window): injected on the path"};
inline constexpr EvidenceId rst_server_fingerprint{
    "E_RST_SERVER_FINGERPRINT",
    "the RSTs match the server's own SYN-ACK fingerprint: the server (or its host/proxy) sent "
    "them"};
inline constexpr EvidenceId rst_origin_unknown{
    "E_RST_ORIGIN_UNKNOWN", "packets were captured but the RSTs' origin could not be pinned down"};
inline constexpr EvidenceId rst_signature{
    "E_RST_SIGNATURE", "the injected packets match a known injector's fingerprint"};
inline constexpr EvidenceId fin_injected{
    "E_FIN_INJECTED", "the FINs do not match the server's SYN-ACK fingerprint: forged on the path"};
inline constexpr EvidenceId fin_server_fingerprint{
    "E_FIN_SERVER_FINGERPRINT",
    "the FINs match the server's SYN-ACK fingerprint: the server closed the connection itself"};
inline constexpr EvidenceId no_capture{
    "E_NO_CAPTURE",
    "no packet capture: judged from socket errors alone, the origin of resets was not checked"};

// Whole-address outcomes.
inline constexpr EvidenceId all_variants_reset{
    "E_ALL_VARIANTS_RESET",
    "every TLS variant, with or without a name, is reset after TCP connects"};
inline constexpr EvidenceId all_connect_failed{
    "E_ALL_CONNECT_FAILED",
    "TCP connect fails for every variant (refused, timeout or unreachable)"};

// The server's own answers.
inline constexpr EvidenceId tls_alert{"E_TLS_ALERT",
                                      "the server answered the target name with a TLS alert"};
inline constexpr EvidenceId cert_expired{"E_CERT_EXPIRED",
                                         "the certificate is expired or not yet valid"};
inline constexpr EvidenceId cert_name_mismatch{"E_CERT_NAME_MISMATCH",
                                               "the certificate does not cover the target name"};
inline constexpr EvidenceId cert_chain_incomplete{
    "E_CERT_CHAIN_INCOMPLETE",
    "the server does not send the intermediate certificates needed to build a chain"};
inline constexpr EvidenceId cert_untrusted{"E_CERT_UNTRUSTED",
                                           "the chain does not end at a trusted root"};
inline constexpr EvidenceId cert_self_signed{"E_CERT_SELF_SIGNED",
                                             "the server presents a self-signed certificate"};

// Split, large and case variants: what the interfering box parses.
inline constexpr EvidenceId split_evades{"E_SPLIT_EVADES",
                                         "a ClientHello split across TCP segments succeeds where "
                                         "the plain one fails: the box does not reassemble TCP"};
inline constexpr EvidenceId record_split_evades{
    "E_RECORD_SPLIT_EVADES",
    "a ClientHello split across TLS records succeeds: the box does not reassemble TLS records"};
inline constexpr EvidenceId split_blocked{
    "E_SPLIT_BLOCKED",
    "the split ClientHello fails too while the control split succeeds: the box reassembles TCP"};
inline constexpr EvidenceId server_rejects_split{
    "E_SERVER_REJECTS_SPLIT",
    "the control split fails as well: this server rejects split ClientHellos, so the split says "
    "nothing"};
inline constexpr EvidenceId large_evades{"E_LARGE_EVADES",
                                         "a ClientHello larger than one MSS succeeds: browsers "
                                         "with post-quantum key shares may work where curl fails"};
inline constexpr EvidenceId large_fails{"E_LARGE_FAILS",
                                        "a ClientHello larger than one MSS fails while the small "
                                        "one works: large-hello clients (browsers) may fail"};
inline constexpr EvidenceId browser_evades{
    "E_BROWSER_EVADES",
    "a browser-shaped ClientHello (Chrome or Firefox) succeeds where the plain one fails: "
    "browsers may load the site while curl fails"};
inline constexpr EvidenceId browser_blocked{
    "E_BROWSER_BLOCKED",
    "a browser-shaped ClientHello fails too while the same shape with the control name "
    "succeeds: browsers are blocked as well"};
inline constexpr EvidenceId case_evades{
    "E_CASE_EVADES", "the name in mixed case succeeds: the box matches the name case-sensitively"};

// The server and large hellos.
inline constexpr EvidenceId server_large_hello{
    "E_SERVER_LARGE_HELLO",
    "ClientHellos spanning two TCP segments fail with the target name and the control name "
    "alike while small hellos work: the server or its load balancer breaks on them"};

// A busy server (the run backed off: model/backoff.hpp).
inline constexpr EvidenceId server_backoff{
    "E_SERVER_BACKOFF",
    "with many handshakes in flight the controls failed in a burst, target name or not: the "
    "server (limit_conn, connlimit, a SYN-flood guard, a small backlog) refuses a client's "
    "connections beyond some number at once; the run was repeated with fewer in flight"};

// Path MTU.
inline constexpr EvidenceId mss_clamp_works{
    "E_MSS_CLAMP_WORKS",
    "with our MSS clamped (sni_mss) the handshake completes where full-size ones time out "
    "whatever the name: the server's large packets are lost on the way"};

// Plain HTTP with the Host header.
inline constexpr EvidenceId http_host_reset{
    "E_HTTP_HOST_RESET", "plain HTTP with the target Host is reset while TLS works"};
inline constexpr EvidenceId http_blockpage{
    "E_HTTP_BLOCKPAGE",
    "plain HTTP with the target Host gets a page the origin did not send (another Server "
    "than the control Host gets, or known block-page markers)"};
inline constexpr EvidenceId http_control{
    "E_HTTP_CONTROL",
    "plain HTTP with the control Host to the same address gets the origin's own answer: "
    "the differential the HTTP sign rests on"};

// DNS.
inline constexpr EvidenceId dns_failure{"E_DNS_FAILURE", "the name did not resolve"};
inline constexpr EvidenceId dns_mismatch{
    "E_DNS_MISMATCH", "the address given with --ip is not among the addresses DNS returns"};

// Trace.
inline constexpr EvidenceId trace_middlebox_hop{
    "E_TRACE_MIDDLEBOX_HOP",
    "a TTL-limited ClientHello locates the interference at a hop before the server"};

// The server's side (`diagnose --sink`: what `sniprobe sink` recorded on the server).
inline constexpr EvidenceId sink_two_sided{"E_SINK_TWO_SIDED",
                                           "the server received a reset from you that you never "
                                           "sent: resets were forged towards both ends"};
inline constexpr EvidenceId sink_no_client_hello{
    "E_SINK_NO_CLIENT_HELLO",
    "the server saw the connection open but never received the ClientHello: it was dropped on the "
    "way"};
inline constexpr EvidenceId sink_answer_lost{
    "E_SINK_ANSWER_LOST",
    "the server saw the ClientHello and answered; the answer never reached you"};
inline constexpr EvidenceId sink_client_only{
    "E_SINK_CLIENT_ONLY",
    "resets reached only you: the server got no reset you did not send, and sent none itself"};
inline constexpr EvidenceId sink_server_rst{
    "E_SINK_SERVER_RST", "the server's own host sent a reset on these connections"};
inline constexpr EvidenceId sink_no_connection{
    "E_SINK_NO_CONNECTION",
    "these connections never reached the server at all, while others of the same run did"};
// QUIC (diagnose --quic): the UDP probes beside the TCP ones.
inline constexpr EvidenceId quic_sni_dropped{
    "E_QUIC_SNI_DROPPED",
    "QUIC hellos naming the target got no answer while QUIC hellos without it did"};
inline constexpr EvidenceId quic_control_ok{
    "E_QUIC_CONTROL_OK",
    "QUIC hellos with no name or the control name got the server's Initial (a ServerHello)"};
inline constexpr EvidenceId quic_followups_dropped{
    "E_QUIC_FOLLOWUPS_DROPPED",
    "after a QUIC hello naming the target was answered, hellos with the control name from the "
    "same and from new source ports got no answer: the tuple is blocked for a while"};
inline constexpr EvidenceId quic_version_ping_ok{
    "E_QUIC_VERSION_PING_OK",
    "the server answered QUIC version pings (Version Negotiation): UDP to the port is open"};
inline constexpr EvidenceId quic_hellos_dropped{
    "E_QUIC_HELLOS_DROPPED", "no QUIC version-1 hello, whatever its name, got an answer"};
// ECH: the same hellos with and without a GREASE encrypted_client_hello extension.
inline constexpr EvidenceId ech_dropped{
    "E_ECH_DROPPED",
    "hellos naming the target with a GREASE ECH extension got no answer (or were reset) while "
    "the same hellos without it were answered"};
inline constexpr EvidenceId ech_control_ok{
    "E_ECH_CONTROL_OK",
    "hellos with the control name and the same ECH extension were answered: the block needs the "
    "name and ECH together"};
inline constexpr EvidenceId ech_all_dropped{
    "E_ECH_ALL_DROPPED",
    "hellos with a GREASE ECH extension failed whatever the name (the control name too) while "
    "the same hellos without it were answered"};
}  // namespace evidence

// Every id, in table order (docs and tests iterate this).
inline constexpr std::array k_all_evidence_ids{
    evidence::sni_reset_rate,
    evidence::sni_timeout_rate,
    evidence::sni_eof_rate,
    evidence::control_ok,
    evidence::control_failures,
    evidence::residual_blocking,
    evidence::sporadic_failures,
    evidence::no_controls,
    evidence::target_ok,
    evidence::not_tls_answer,
    evidence::rst_injected,
    evidence::rst_server_fingerprint,
    evidence::rst_origin_unknown,
    evidence::rst_signature,
    evidence::fin_injected,
    evidence::fin_server_fingerprint,
    evidence::no_capture,
    evidence::all_variants_reset,
    evidence::all_connect_failed,
    evidence::tls_alert,
    evidence::cert_expired,
    evidence::cert_name_mismatch,
    evidence::cert_chain_incomplete,
    evidence::cert_untrusted,
    evidence::cert_self_signed,
    evidence::split_evades,
    evidence::record_split_evades,
    evidence::split_blocked,
    evidence::server_rejects_split,
    evidence::large_evades,
    evidence::large_fails,
    evidence::case_evades,
    evidence::browser_evades,
    evidence::browser_blocked,
    evidence::mss_clamp_works,
    evidence::server_large_hello,
    evidence::server_backoff,
    evidence::http_host_reset,
    evidence::http_blockpage,
    evidence::http_control,
    evidence::dns_failure,
    evidence::dns_mismatch,
    evidence::trace_middlebox_hop,
    evidence::sink_two_sided,
    evidence::sink_no_client_hello,
    evidence::sink_answer_lost,
    evidence::sink_client_only,
    evidence::sink_server_rst,
    evidence::sink_no_connection,
    evidence::quic_sni_dropped,
    evidence::quic_control_ok,
    evidence::quic_followups_dropped,
    evidence::quic_version_ping_ok,
    evidence::quic_hellos_dropped,
    evidence::ech_dropped,
    evidence::ech_control_ok,
    evidence::ech_all_dropped,
};

}  // namespace sniprobe
