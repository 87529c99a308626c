// The stable names of the model's enums: one table per enum (names.cpp) serves the JSON
// writer, the JSON reader and the text report alike, so a name can never be spelled two
// ways. The names are the JSON contract (docs/json.md): never renamed, never reused.
// The enums are declared opaquely here and defined beside the struct that holds them.
#pragma once

#include <optional>
#include <string_view>

namespace sniprobe {

enum class Cause;            // model/verdict.hpp
enum class FailureCode;      // model/failure.hpp
enum class FailedOperation;  // model/trial.hpp
enum class CertProblem;      // model/cert_problem.hpp
enum class RstOrigin;        // model/analysis.hpp
enum class RstSignatureId;   // model/analysis.hpp
enum class IpIdPattern;      // model/analysis.hpp
enum class SeqRelation;      // model/analysis.hpp
enum class SinkFinding;      // model/sink.hpp
enum class ResidualStatus;   // model/residual.hpp
enum class ResidualPhase;    // model/residual.hpp
enum class CaptureSide;      // model/offline.hpp
enum class FlowOutcome;      // model/offline.hpp
enum class FlowSide;         // model/offline.hpp

// The stable name of a value ("sni_reset", "connection_reset", "gfw_type_2", ...). A value
// that means "nothing" (FailureCode::none, FailedOperation::none, CertProblem::none) is named "".
std::string_view to_name(Cause value);
std::string_view to_name(FailureCode value);
std::string_view to_name(FailedOperation value);
std::string_view to_name(CertProblem value);
std::string_view to_name(RstOrigin value);
std::string_view to_name(RstSignatureId value);
std::string_view to_name(IpIdPattern value);
std::string_view to_name(SeqRelation value);
std::string_view to_name(SinkFinding value);
std::string_view to_name(ResidualStatus value);
std::string_view to_name(ResidualPhase value);
std::string_view to_name(CaptureSide value);
std::string_view to_name(FlowOutcome value);
std::string_view to_name(FlowSide value);

// The value a stable name stands for; nullopt for a name the table does not hold.
template <class Enum>
std::optional<Enum> from_name(std::string_view name);

template <>
std::optional<Cause> from_name<Cause>(std::string_view name);
template <>
std::optional<FailureCode> from_name<FailureCode>(std::string_view name);
template <>
std::optional<FailedOperation> from_name<FailedOperation>(std::string_view name);
template <>
std::optional<CertProblem> from_name<CertProblem>(std::string_view name);
template <>
std::optional<RstOrigin> from_name<RstOrigin>(std::string_view name);
template <>
std::optional<RstSignatureId> from_name<RstSignatureId>(std::string_view name);
template <>
std::optional<IpIdPattern> from_name<IpIdPattern>(std::string_view name);
template <>
std::optional<SeqRelation> from_name<SeqRelation>(std::string_view name);
template <>
std::optional<SinkFinding> from_name<SinkFinding>(std::string_view name);
template <>
std::optional<ResidualStatus> from_name<ResidualStatus>(std::string_view name);
template <>
std::optional<ResidualPhase> from_name<ResidualPhase>(std::string_view name);

}  // namespace sniprobe
