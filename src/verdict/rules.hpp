// The verdict rules: plain functions over the gathered Facts, tried in a fixed order
// (decide.cpp holds the table). Each returns a complete Verdict when its pattern is
// present, nullopt otherwise. Order encodes caution: what the server itself does
// (its alert, its certificate, RSTs carrying its fingerprint) is settled before the
// network is blamed, because blaming the network for a server bug is the worst error.
#pragma once

#include <optional>
#include <string>

#include "model/verdict.hpp"
#include "verdict/evidence_ids.hpp"
#include "verdict/facts.hpp"

namespace sniprobe::verdict {

// A rule: the verdict when its pattern is present.
using Rule = std::optional<Verdict> (*)(const Facts&);

// Significance level of the differential test.
inline constexpr double k_alpha = 0.05;

// The name did not resolve and nothing could be probed.
std::optional<Verdict> rule_dns_failure(const Facts& f);
// TCP connect fails for every variant.
std::optional<Verdict> rule_tcp_unreachable(const Facts& f);
std::optional<Verdict> rule_path_mtu(const Facts& f);
std::optional<Verdict> rule_server_large_hello(const Facts& f);
// Forensics attribute the target's RSTs (or FINs) to the server: server_reset, never sni_*.
std::optional<Verdict> rule_server_origin(const Facts& f);
// The server answers the target's ClientHello in plain text (HTTP), not TLS.
std::optional<Verdict> rule_not_tls_answer(const Facts& f);
// Target name reset / timed out / closed significantly more than the controls.
std::optional<Verdict> rule_name_interference(const Facts& f);
// No controls ran (a capture with one name), but the target's resets carry an injector's
// fingerprint, not the server's: on-path interference, with the confidence one name allows.
std::optional<Verdict> rule_injected_without_controls(const Facts& f);
// Controls passed, a target-name hello failed (injected reset/FIN, or unanswered), then every
// new connection to that address and port failed (residual block).
std::optional<Verdict> rule_residual_blocking(const Facts& f);
// Every TLS variant, named or not, is reset after TCP connects.
std::optional<Verdict> rule_all_reset(const Facts& f);
// The server answers the target name with an alert.
std::optional<Verdict> rule_tls_alert(const Facts& f);
// The handshake completes but the certificate fails verification.
std::optional<Verdict> rule_certificate(const Facts& f);
// TLS works; plain HTTP with the Host is reset or answered by a block page.
std::optional<Verdict> rule_http_host_block(const Facts& f);
// Everything works at --ip, but DNS points elsewhere (or fails).
std::optional<Verdict> rule_dns_only(const Facts& f);
std::optional<Verdict> rule_quic_block(const Facts& f);
// The name passes without ECH and fails with a GREASE ECH extension (TCP or QUIC): with the
// control name and ECH passing, ech_block; with it failing too, ech_protocol_block.
std::optional<Verdict> rule_ech_block(const Facts& f);
// The target works.
std::optional<Verdict> rule_ok(const Facts& f);
// The fallback: what was seen, without a cause.
Verdict inconclusive(const Facts& f);

// Adds evidence and advice that support any verdict (splits, certificate, DNS, trace...).
void add_supporting_evidence(const Facts& f, Verdict& v);
// Adds the E_SINK_* lines from the server's side (d.sink), when it was read and matched.
void add_sink_evidence(const Facts& f, Verdict& v);
// Adds E_SERVER_BACKOFF (and its advice) when the run backed off from a busy server.
void add_backoff_evidence(const Facts& f, Verdict& v);
// Adds the measured E_RESIDUAL_BLOCKING line (d.residual), when a block was measured.
void add_measured_residual_evidence(const Facts& f, Verdict& v);
// E_RESIDUAL_BLOCKING for an sni_* verdict when the controls passed before the first
// failing target hello and the trials started after it failed (a residual block).
void add_residual_timing_evidence(const Facts& f, Verdict& v);
// E_RESIDUAL_BLOCKING when the controls failed with `o` only after the target name did.
std::optional<Evidence> residual_pattern_evidence(const Facts& f, Outcome o, int control_failed);

// An Evidence line for a table id.
Evidence cite(const EvidenceId& id, std::string text);
// True when the verdict already cites the id.
bool cites(const Verdict& v, const EvidenceId& id);

// A certificate problem seen on completed handshakes.
struct CertificateProblem {
    CertProblem subcode = CertProblem::untrusted;  // expired | name_mismatch | chain_incomplete |
                                                   // untrusted | self_signed
    const EvidenceId* id = nullptr;
    int failing = 0, checked = 0;
    std::string detail;  // OpenSSL's message and the chain as sent
};
// The majority certificate problem, if most completed handshakes had one.
std::optional<CertificateProblem> certificate_problem(const Facts& f);

// A block-page or reset sign on the plain-HTTP Host probe (never when its RSTs are the
// server's), judged against the control Host (control_http) when it ran: a page counts
// when its Server differs from the one the control Host gets from the origin (or, with no
// control answer, by known block-page markers alone), resets when the control Host is
// reset significantly less often; what the control Host gets too is not the name's.
struct HttpSign {
    Evidence sign;                    // E_HTTP_BLOCKPAGE or E_HTTP_HOST_RESET
    std::optional<Evidence> control;  // E_HTTP_CONTROL: the differential it rests on
    bool page = false;
};
std::optional<HttpSign> http_sign(const Facts& f);
std::optional<Evidence> http_block_sign(const Facts& f);

// A line describing the --ip/DNS disagreement, if any.
std::optional<std::string> dns_disagreement(const Facts& f);

// Evidence several rules cite; each of these ids is built in evidence_lines.cpp only.

// Which reading of injected packets a rule cites.
enum class InjectedReading {
    most_of_target,         // the target's failures: injected packets, none the server's
    outnumbered_by_server,  // some injected, but the server's own outnumber them
    address_wide,           // every variant reset, and the RSTs look injected
    after_trigger,          // residual blocking: injected packets on the trigger's failures
};
// E_RST_INJECTED (E_FIN_INJECTED for eof) with the counts.
Evidence injected_evidence(Outcome o, InjectedReading reading, int injected, int analysed);
// E_RST_ORIGIN_UNKNOWN: `analysed` packets none attributed, or (nullopt) RSTs unattributed.
Evidence origin_unknown_evidence(std::optional<int> analysed);
// What a verdict without capture cannot tell apart from the cause it names.
enum class LookAlike { server_name_filter, address_block };
// E_NO_CAPTURE.
Evidence no_capture_evidence(LookAlike look_alike);
// E_SNI_RESET_RATE / E_SNI_TIMEOUT_RATE / E_SNI_EOF_RATE for outcome o, with its statistics.
Evidence name_rate_evidence(Outcome o, std::string stats);
// The same ids as name_rate_evidence, when the server's own packets are the cause.
Evidence name_dependence_evidence(const Facts& f, Outcome o);
// E_DNS_FAILURE when the name did not resolve.
Evidence dns_unresolved_evidence(const Facts& f);
// E_DNS_FAILURE or E_DNS_MISMATCH when --ip and DNS disagree.
std::optional<Evidence> dns_disagreement_evidence(const Facts& f);

}  // namespace sniprobe::verdict
