// The name tables of names.hpp, one per enum, and Failure's parsing. Each table lists
// every value once; lookups both ways walk the same table, so to_name and from_name can
// never disagree.
#include "model/names.hpp"

#include <array>
#include <ostream>
#include <utility>

#include "model/analysis.hpp"
#include "model/failure.hpp"
#include "model/offline.hpp"
#include "model/residual.hpp"
#include "model/sink.hpp"
#include "model/trial.hpp"
#include "model/verdict.hpp"

namespace sniprobe {
namespace {

template <class Enum, size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

template <class Enum, size_t N>
std::string_view name_in(const NameTable<Enum, N>& table, Enum value) {
    for (const auto& [v, name] : table)
        if (v == value) return name;
    return "unknown";
}

template <class Enum, size_t N>
std::optional<Enum> value_in(const NameTable<Enum, N>& table, std::string_view name) {
    for (const auto& [v, n] : table)
        if (n == name) return v;
    return std::nullopt;
}

constexpr NameTable<Cause, 17> k_causes{{
    {Cause::ok, "ok"},
    {Cause::sni_reset, "sni_reset"},
    {Cause::sni_drop, "sni_drop"},
    {Cause::sni_close, "sni_close"},
    {Cause::http_host_block, "http_host_block"},
    {Cause::tcp_unreachable, "tcp_unreachable"},
    {Cause::server_reset, "server_reset"},
    {Cause::tls_alert, "tls_alert"},
    {Cause::certificate, "certificate"},
    {Cause::path_mtu, "path_mtu"},
    {Cause::dns, "dns"},
    {Cause::inconclusive, "inconclusive"},
    {Cause::quic_sni_block, "quic_sni_block"},
    {Cause::quic_residual_block, "quic_residual_block"},
    {Cause::quic_protocol_block, "quic_protocol_block"},
    {Cause::ech_block, "ech_block"},
    {Cause::ech_protocol_block, "ech_protocol_block"},
}};

// FailureCode::other has no name of its own: its text travels with the Failure.
constexpr NameTable<FailureCode, 13> k_failures{{
    {FailureCode::none, ""},
    {FailureCode::connection_refused, "connection_refused"},
    {FailureCode::connection_reset, "connection_reset"},
    {FailureCode::connection_aborted, "connection_aborted"},
    {FailureCode::generic_timeout_error, "generic_timeout_error"},
    {FailureCode::eof_error, "eof_error"},
    {FailureCode::host_unreachable, "host_unreachable"},
    {FailureCode::network_unreachable, "network_unreachable"},
    {FailureCode::address_not_available, "address_not_available"},
    {FailureCode::ssl_invalid_hostname, "ssl_invalid_hostname"},
    {FailureCode::ssl_unknown_authority, "ssl_unknown_authority"},
    {FailureCode::ssl_invalid_certificate, "ssl_invalid_certificate"},
    {FailureCode::ssl_failed_handshake, "ssl_failed_handshake"},
}};

constexpr NameTable<CertProblem, 8> k_cert_problems{{
    {CertProblem::none, ""},
    {CertProblem::chain_incomplete, "chain_incomplete"},
    {CertProblem::expired, "expired"},
    {CertProblem::name_mismatch, "name_mismatch"},
    {CertProblem::not_yet_valid, "not_yet_valid"},
    {CertProblem::other, "other"},
    {CertProblem::self_signed, "self_signed"},
    {CertProblem::untrusted, "untrusted"},
}};

constexpr NameTable<FailedOperation, 5> k_operations{{
    {FailedOperation::none, ""},
    {FailedOperation::connect, "connect"},
    {FailedOperation::tls_handshake, "tls_handshake"},
    {FailedOperation::http_round_trip, "http_round_trip"},
    {FailedOperation::quic_handshake, "quic_handshake"},
}};

constexpr NameTable<RstOrigin, 3> k_origins{{
    {RstOrigin::injected, "injected"},
    {RstOrigin::server, "server"},
    {RstOrigin::unknown, "unknown"},
}};

constexpr NameTable<RstSignatureId, 9> k_signatures{{
    {RstSignatureId::gfw_type_1, "gfw_type_1"},
    {RstSignatureId::gfw_type_2, "gfw_type_2"},
    {RstSignatureId::gfw_type_3, "gfw_type_3"},
    {RstSignatureId::gfw_legacy, "gfw_legacy"},
    {RstSignatureId::henan, "henan"},
    {RstSignatureId::icp_filing, "icp_filing"},
    {RstSignatureId::airtel, "airtel"},
    {RstSignatureId::server_stack, "server_stack"},
    {RstSignatureId::unknown, "unknown"},
}};

constexpr NameTable<IpIdPattern, 6> k_ip_id_patterns{{
    {IpIdPattern::none, "none"},
    {IpIdPattern::zero, "zero"},
    {IpIdPattern::fixed, "fixed"},
    {IpIdPattern::copied, "copied"},
    {IpIdPattern::server_sequence, "server_sequence"},
    {IpIdPattern::random, "random"},
}};

constexpr NameTable<SeqRelation, 6> k_seq_relations{{
    {SeqRelation::unknown, "unknown"},
    {SeqRelation::exact, "exact"},
    {SeqRelation::plus_1460, "plus_1460"},
    {SeqRelation::plus_4380, "plus_4380"},
    {SeqRelation::in_window, "in_window"},
    {SeqRelation::outside, "outside"},
}};

constexpr NameTable<SinkFinding, 7> k_sink_findings{{
    {SinkFinding::two_sided, "two_sided"},
    {SinkFinding::client_only, "client_only"},
    {SinkFinding::no_client_hello, "no_client_hello"},
    {SinkFinding::answer_lost, "answer_lost"},
    {SinkFinding::server_rst, "server_rst"},
    {SinkFinding::clean, "clean"},
    {SinkFinding::no_connection, "no_connection"},
}};

constexpr NameTable<ResidualStatus, 5> k_residual_statuses{{
    {ResidualStatus::no_trigger, "no_trigger"},
    {ResidualStatus::not_blocked, "not_blocked"},
    {ResidualStatus::cleared, "cleared"},
    {ResidualStatus::still_blocked, "still_blocked"},
    {ResidualStatus::interrupted, "interrupted"},
}};

constexpr NameTable<ResidualPhase, 2> k_residual_phases{{
    {ResidualPhase::during, "during"},
    {ResidualPhase::after, "after"},
}};

}  // namespace

std::string_view to_name(Cause value) {
    return name_in(k_causes, value);
}
namespace {

constexpr NameTable<CaptureSide, 4> k_capture_sides{{
    {CaptureSide::client, "client"},
    {CaptureSide::server, "server"},
    {CaptureSide::middle, "middle"},
    {CaptureSide::unknown, "unknown"},
}};

constexpr NameTable<FlowOutcome, 11> k_flow_outcomes{{
    {FlowOutcome::completed, "completed"},
    {FlowOutcome::server_hello, "server_hello"},
    {FlowOutcome::alert, "alert"},
    {FlowOutcome::reset, "reset"},
    {FlowOutcome::fin, "fin"},
    {FlowOutcome::silent_server, "silent_server"},
    {FlowOutcome::silent_client, "silent_client"},
    {FlowOutcome::refused, "refused"},
    {FlowOutcome::no_answer, "no_answer"},
    {FlowOutcome::plain_http, "plain_http"},
    {FlowOutcome::not_tls, "not_tls"},
}};

constexpr NameTable<FlowSide, 3> k_flow_sides{{
    {FlowSide::none, ""},
    {FlowSide::client, "client"},
    {FlowSide::server, "server"},
}};

}  // namespace

std::string_view to_name(CaptureSide value) {
    return name_in(k_capture_sides, value);
}
std::string_view to_name(FlowOutcome value) {
    return name_in(k_flow_outcomes, value);
}
std::string_view to_name(FlowSide value) {
    return name_in(k_flow_sides, value);
}

std::string_view to_name(FailureCode value) {
    return name_in(k_failures, value);
}
std::string_view to_name(FailedOperation value) {
    return name_in(k_operations, value);
}
std::string_view to_name(CertProblem value) {
    return name_in(k_cert_problems, value);
}
std::string_view to_name(RstOrigin value) {
    return name_in(k_origins, value);
}
std::string_view to_name(RstSignatureId value) {
    return name_in(k_signatures, value);
}
std::string_view to_name(IpIdPattern value) {
    return name_in(k_ip_id_patterns, value);
}
std::string_view to_name(SeqRelation value) {
    return name_in(k_seq_relations, value);
}
std::string_view to_name(SinkFinding value) {
    return name_in(k_sink_findings, value);
}
std::string_view to_name(ResidualStatus value) {
    return name_in(k_residual_statuses, value);
}
std::string_view to_name(ResidualPhase value) {
    return name_in(k_residual_phases, value);
}

template <>
std::optional<Cause> from_name<Cause>(std::string_view name) {
    return value_in(k_causes, name);
}
template <>
std::optional<FailureCode> from_name<FailureCode>(std::string_view name) {
    return value_in(k_failures, name);
}
template <>
std::optional<FailedOperation> from_name<FailedOperation>(std::string_view name) {
    return value_in(k_operations, name);
}
template <>
std::optional<CertProblem> from_name<CertProblem>(std::string_view name) {
    return value_in(k_cert_problems, name);
}
template <>
std::optional<RstOrigin> from_name<RstOrigin>(std::string_view name) {
    return value_in(k_origins, name);
}
template <>
std::optional<RstSignatureId> from_name<RstSignatureId>(std::string_view name) {
    return value_in(k_signatures, name);
}
template <>
std::optional<IpIdPattern> from_name<IpIdPattern>(std::string_view name) {
    return value_in(k_ip_id_patterns, name);
}
template <>
std::optional<SeqRelation> from_name<SeqRelation>(std::string_view name) {
    return value_in(k_seq_relations, name);
}
template <>
std::optional<SinkFinding> from_name<SinkFinding>(std::string_view name) {
    return value_in(k_sink_findings, name);
}
template <>
std::optional<ResidualStatus> from_name<ResidualStatus>(std::string_view name) {
    return value_in(k_residual_statuses, name);
}
template <>
std::optional<ResidualPhase> from_name<ResidualPhase>(std::string_view name) {
    return value_in(k_residual_phases, name);
}

Failure::Failure(FailureCode code) : m_code(code) {}

Failure Failure::from_text(std::string_view text) {
    if (auto code = from_name<FailureCode>(text)) return Failure(*code);
    Failure f;
    f.m_code = FailureCode::other;
    f.m_other_text = std::string(text);
    return f;
}

std::string_view Failure::text() const {
    return m_code == FailureCode::other ? std::string_view(m_other_text) : to_name(m_code);
}

std::ostream& operator<<(std::ostream& out, const Failure& failure) {
    return out << failure.text();
}

}  // namespace sniprobe
