// The HTML report's one window onto the model's textual fields (internal to report/):
// every cause, failure, signature and pattern the page prints is read through these
// functions and nowhere else, so a model field that changes type (a string becoming an
// enum with a name table) is followed here, in one spot, and the page does not change.
#pragma once

#include <string>

#include "model/diagnosis.hpp"
#include "model/names.hpp"

namespace sniprobe::html_fields {

inline std::string cause(const Verdict& v) {
    return std::string(to_name(v.cause));
}
inline std::string subcode(const Verdict& v) {
    return v.subcode ? std::string(to_name(*v.subcode)) : std::string();
}
inline bool is_ok(const Verdict& v) {
    return v.cause == Cause::ok;
}
inline bool is_inconclusive(const Verdict& v) {
    return v.cause == Cause::inconclusive;
}

inline std::string failure(const Trial& t) {
    return std::string(t.failure.text());
}
inline std::string failed_operation(const Trial& t) {
    return std::string(to_name(t.failed_operation));
}

inline std::string signature(const RstFinding& f) {
    return f.signature ? std::string(to_name(*f.signature)) : std::string();
}
inline std::string ip_id_pattern(const RstFinding& f) {
    return f.ip_id_pattern ? std::string(to_name(*f.ip_id_pattern)) : std::string();
}
inline std::string seq_relation(const RstFinding& f) {
    return f.seq_relation ? std::string(to_name(*f.seq_relation)) : std::string();
}

inline std::string finding(const SinkTrialFinding& f) {
    return std::string(to_name(f.finding));
}
inline std::string matched_by(const SinkTrialFinding& f) {
    return f.matched_by;
}

inline std::string hop_outcome(const TraceHop& h) {
    return h.outcome;
}
inline std::string hop_control_outcome(const TraceHop& h) {
    return h.control_outcome;
}
inline std::string placement(const TraceResult& t) {
    return t.placement;
}

}  // namespace sniprobe::html_fields
