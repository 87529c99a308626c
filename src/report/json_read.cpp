// read_json(): the inverse of write_json, for saved runs and round-trip tests. Lenient
// where it costs nothing (a missing field takes the model's default, null is "absent"),
// strict where guessing would mislead: a wrong type, an unknown variant, cause or other
// enum name (model/names.hpp), bad flag letters or a newer schema_version fail with a
// message naming the field. Two open sets stay open: an unknown OONI failure string is
// kept verbatim (model/failure.hpp), an unknown RST origin reads as `unknown`.
#include <nlohmann/json.hpp>

#include <istream>
#include <stdexcept>

#include "report/json_names.hpp"
#include "report/json_report.hpp"
#include "util/json_integer.hpp"

namespace sniprobe {
namespace {

using nlohmann::json;

// Thrown inside the reader, turned into a Result at the boundary.
struct ReadError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const json& field(const json& j, const char* key) {
    static const json k_null;
    if (j.is_null()) return k_null;  // an absent parent: every field takes its default
    if (!j.is_object()) throw ReadError(std::string("expected an object around '") + key + "'");
    auto it = j.find(key);
    return it == j.end() ? k_null : *it;
}

template <class T>
T get(const json& j, const char* key, T fallback = T{}) {
    const json& v = field(j, key);
    if (v.is_null()) return fallback;
    try {
        return json_get_checked<T>(v, key);
    } catch (const json::exception&) {
        throw ReadError(std::string("field '") + key + "' has the wrong type");
    } catch (const JsonRangeError& e) {
        throw ReadError(e.what());
    }
}

template <class T>
std::optional<T> get_optional(const json& j, const char* key) {
    if (field(j, key).is_null()) return std::nullopt;
    return get<T>(j, key);
}

const json& array(const json& j, const char* key) {
    static const json k_empty = json::array();
    const json& v = field(j, key);
    if (v.is_null()) return k_empty;
    if (!v.is_array()) throw ReadError(std::string("field '") + key + "' is not an array");
    return v;
}

// A stable enum name (model/names.hpp); null or absent is nullopt, an unknown name fails.
template <class Enum>
std::optional<Enum> optional_name(const json& j, const char* key) {
    const auto name = get_optional<std::string>(j, key);
    if (!name) return std::nullopt;
    auto value = from_name<Enum>(*name);
    if (!value) throw ReadError("unknown value '" + *name + "' in '" + key + "'");
    return value;
}

// As optional_name, with `fallback` for null or absent.
template <class Enum>
Enum name_field(const json& j, const char* key, Enum fallback) {
    return optional_name<Enum>(j, key).value_or(fallback);
}

uint8_t flags(const json& j) {
    auto f = json_names::flags_from_text(get<std::string>(j, "flags"));
    if (!f) throw ReadError("unknown TCP flag letter in 'flags'");
    return *f;
}

PacketRecord packet_from(const json& j) {
    PacketRecord p;
    p.t = get<double>(j, "t");
    p.direction =
        get<std::string>(j, "direction") == "inbound" ? Direction::inbound : Direction::outbound;
    p.flags = flags(j);
    p.seq = get<uint32_t>(j, "seq");
    p.ack = get<uint32_t>(j, "ack");
    p.ttl = get<uint8_t>(j, "ttl");
    p.ip_id = get<uint16_t>(j, "ip_id");
    p.df = get<bool>(j, "df");
    p.window = get<uint16_t>(j, "window");
    p.payload_len = get<uint16_t>(j, "payload_len");
    p.tcp_header_len = get<uint8_t>(j, "tcp_header_len");
    auto head = json_names::from_hex(get<std::string>(j, "payload_head"));
    if (!head) throw ReadError("field 'payload_head' is not hex");
    p.payload_head = *head;
    return p;
}

RstFinding rst_from(const json& j) {
    RstFinding f;
    f.trial_id = get<int>(j, "trial_id");
    f.packet_index = get<int>(j, "packet_index");
    // Lenient on purpose: an origin this build does not know reads as unknown.
    f.origin = from_name<RstOrigin>(get<std::string>(j, "origin")).value_or(RstOrigin::unknown);
    f.signature = optional_name<RstSignatureId>(j, "signature");
    f.flags = flags(j);
    f.burst_count = get<int>(j, "burst_count", 1);
    f.ttl = get<uint8_t>(j, "ttl");
    f.server_synack_ttl = get_optional<uint8_t>(j, "server_synack_ttl");
    f.hop_difference = get_optional<int>(j, "hop_difference");
    f.ip_id = get<uint16_t>(j, "ip_id");
    f.ip_id_pattern = optional_name<IpIdPattern>(j, "ip_id_pattern");
    f.df = get<bool>(j, "df");
    f.window = get<uint16_t>(j, "window");
    f.seq_relation = optional_name<SeqRelation>(j, "seq_relation");
    f.delay_ms = get_optional<double>(j, "delay_ms");
    f.rtt_ms = get_optional<double>(j, "rtt_ms");
    f.reasons = get<std::vector<std::string>>(j, "reasons");
    f.after_injected = get<bool>(j, "after_injected", false);
    return f;
}

Variant variant_from(const json& j, const char* key) {
    const std::string name = get<std::string>(j, key);
    auto v = variant_from_name(name);
    if (!v) throw ReadError("unknown variant '" + name + "'");
    return *v;
}

Trial trial_from(const json& j) {
    Trial t;
    t.id = get<int>(j, "id");
    t.variant = variant_from(j, "variant");
    t.address = get<std::string>(j, "address");
    t.port = get<uint16_t>(j, "port");
    t.server_name = get<std::string>(j, "server_name");
    t.local_port = get<uint16_t>(j, "local_port");
    t.t0 = get<double>(j, "t0");
    t.t = get<double>(j, "t");
    t.connect_ms = get_optional<double>(j, "connect_ms");
    t.hello_sent_ms = get_optional<double>(j, "hello_sent_ms");
    t.first_byte_ms = get_optional<double>(j, "first_byte_ms");
    t.failure_ms = get_optional<double>(j, "failure_ms");
    t.failure = Failure::from_text(get<std::string>(j, "failure"));
    t.failed_operation = name_field(j, "failed_operation", FailedOperation::none);
    t.tls_version = get<std::string>(j, "tls_version");
    t.cipher_suite = get<std::string>(j, "cipher_suite");
    t.alpn = get<std::string>(j, "alpn");
    t.alert_received = get<std::string>(j, "alert_received");
    t.server_hello_seen = get<bool>(j, "server_hello_seen");
    t.client_hello_bytes = get<size_t>(j, "client_hello_bytes");
    t.client_hello_segments = get<int>(j, "client_hello_segments");
    if (const json& c = field(j, "certificate"); !c.is_null()) {
        CertificateCheck check;
        check.verified = get<bool>(c, "verified");
        check.problem = name_field(c, "problem", CertProblem::none);
        check.openssl_code = get<int>(c, "openssl_code");
        check.openssl_message = get<std::string>(c, "openssl_message");
        check.chain_subjects = get<std::vector<std::string>>(c, "chain_subjects");
        check.leaf_not_after = get<std::string>(c, "leaf_not_after");
        t.certificate = check;
    }
    t.http_status = get_optional<int>(j, "http_status");
    t.http_server_header = get<std::string>(j, "http_server_header");
    t.http_title = get<std::string>(j, "http_title");
    t.captured = get<bool>(j, "captured");
    for (const json& p : array(j, "packets")) t.packets.push_back(packet_from(p));
    for (const json& i : array(j, "icmp"))
        t.icmp.push_back({get<double>(i, "t"), get<std::string>(i, "from"), get<uint8_t>(i, "type"),
                          get<uint8_t>(i, "code")});
    return t;
}

VariantStats variant_stats_from(const json& j) {
    VariantStats s;
    s.variant = variant_from(j, "name");
    s.trials = get<int>(j, "trials");
    s.ok = get<int>(j, "ok");
    s.rate = get<double>(j, "rate");
    const auto ci = get<std::vector<double>>(j, "ci95");
    if (ci.size() != 2) throw ReadError("field 'ci95' must hold two numbers");
    s.ci95 = {ci[0], ci[1]};
    s.failures = get<std::map<std::string, int>>(j, "failures");
    return s;
}

std::optional<TraceResult> trace_from(const json& j) {
    if (j.is_null()) return std::nullopt;
    TraceResult trace;
    trace.middlebox_hop = get_optional<int>(j, "middlebox_hop");
    trace.middlebox_router = get<std::string>(j, "middlebox_router");
    trace.placement = get<std::string>(j, "placement");
    for (const json& h : array(j, "hops"))
        trace.hops.push_back({get<int>(h, "ttl"), get<std::string>(h, "router"),
                              get<std::string>(h, "outcome"),
                              get<std::string>(h, "control_outcome")});
    return trace;
}

std::optional<ResidualReport> residual_from(const json& j) {
    if (j.is_null()) return std::nullopt;
    ResidualReport r;
    r.status = name_field(j, "status", r.status);
    r.trigger_trial_id = get_optional<int>(j, "trigger_trial_id");
    r.trigger_t = get_optional<double>(j, "trigger_t");
    r.address = get<std::string>(j, "address");
    r.port = get<uint16_t>(j, "port");
    r.control_name = get<std::string>(j, "control_server_name");
    r.max_s = get<double>(j, "max_s");
    r.window_s = get_optional<double>(j, "window_s");
    r.blocked_until_s = get_optional<double>(j, "blocked_until_s");
    r.keyed_fields = get_optional<int>(j, "keyed_fields");
    r.scope = get<std::string>(j, "scope");
    for (const json& p : array(j, "probes"))
        r.probes.push_back({get<double>(p, "since_trigger_s"), get<uint16_t>(p, "port"),
                            get<std::string>(p, "protocol"), get<std::string>(p, "server_name"),
                            name_field(p, "phase", ResidualPhase::during),
                            Failure::from_text(get<std::string>(p, "failure")),
                            get<bool>(p, "answered")});
    return r;
}

std::optional<Backoff> backoff_from(const json& j) {
    if (j.is_null()) return std::nullopt;
    Backoff b;
    for (const json& p : array(j, "passes"))
        b.passes.push_back({get<int>(p, "concurrency"), get<int>(p, "trials"),
                            get<int>(p, "failed"), get<int>(p, "control_trials"),
                            get<int>(p, "control_failed"), get<int>(p, "burst")});
    b.kept = get<int>(j, "kept");
    return b;
}

std::optional<SinkReport> sink_from(const json& j) {
    if (j.is_null()) return std::nullopt;
    SinkReport s;
    s.url = get<std::string>(j, "url");
    s.failure = get<std::string>(j, "failure");
    s.records = get<int>(j, "records");
    s.trials_matched = get<int>(j, "trials_matched");
    s.trials_unmatched = get<int>(j, "trials_unmatched");
    for (const json& t : array(j, "trials")) {
        SinkTrialFinding f;
        f.trial_id = get<int>(t, "trial_id");
        f.matched_by = get<std::string>(t, "matched_by");
        f.syn_seen = get<bool>(t, "syn_seen");
        f.syn_ttl = get_optional<int>(t, "syn_ttl");
        f.client_hello_seen = get<bool>(t, "client_hello_seen");
        f.server_name = get<std::string>(t, "server_name");
        f.server_answered = get<bool>(t, "server_answered");
        f.server_sent_rst = get<bool>(t, "server_sent_rst");
        f.rst_received = get<int>(t, "rst_received");
        f.rst_not_sent_by_us = get<int>(t, "rst_not_sent_by_us");
        f.rst_ttls = get<std::vector<int>>(t, "rst_ttls");
        f.finding = name_field(t, "finding", f.finding);
        s.trials.push_back(std::move(f));
    }
    return s;
}

Verdict verdict_from(const json& j) {
    Verdict v;
    v.cause = name_field(j, "cause", v.cause);
    v.subcode = optional_name<CertProblem>(j, "subcode");
    v.confidence = get<double>(j, "confidence");
    v.summary = get<std::string>(j, "summary");
    for (const json& e : array(j, "evidence"))
        v.evidence.push_back({get<std::string>(e, "id"), get<std::string>(e, "text")});
    v.advice = get<std::vector<std::string>>(j, "advice");
    return v;
}

Diagnosis diagnosis_from(const json& doc) {
    const int version = get<int>(doc, "schema_version");
    if (version != k_schema_version)
        throw ReadError("schema_version " + std::to_string(version) +
                        " is not supported (this build reads " + std::to_string(k_schema_version) +
                        ")");
    Diagnosis d;
    const json& target = field(doc, "target");
    d.target.input = get<std::string>(target, "input");
    d.target.host = get<std::string>(target, "host");
    d.target.sni = get<std::string>(target, "server_name");
    d.target.port = get<uint16_t>(target, "port", 443);
    d.target.control_sni = get<std::string>(target, "control_server_name");
    d.target.forced_ip = get_optional<std::string>(target, "forced_ip");
    for (const json& a : array(doc, "addresses"))
        d.resolution.addresses.push_back({get<std::string>(a, "address"),
                                          get<std::string>(a, "family"),
                                          get<std::string>(a, "source")});
    const json& dns = field(doc, "dns");
    if (!dns.is_null()) {
        d.resolution.failure = get<std::string>(dns, "failure");
        d.resolution.dns_addresses = get<std::vector<std::string>>(dns, "addresses");
    }
    for (const json& s : array(doc, "variants"))
        d.analysis.variants.push_back(variant_stats_from(s));
    for (const json& t : array(doc, "trials")) d.trials.push_back(trial_from(t));
    for (const json& r : array(doc, "rst")) d.analysis.rsts.push_back(rst_from(r));
    d.trace = trace_from(field(doc, "trace"));
    d.residual = residual_from(field(doc, "residual"));
    d.backoff = backoff_from(field(doc, "backoff"));
    d.sink = sink_from(field(doc, "sink"));
    if (const json& v = field(doc, "verdict"); !v.is_null()) d.verdict = verdict_from(v);
    for (const json& f : array(doc, "families")) {
        FamilyVerdict fv;
        fv.family = get<std::string>(f, "family");
        fv.addresses = get<std::vector<std::string>>(f, "addresses");
        fv.trials = get<int>(f, "trials");
        if (const json& v = field(f, "verdict"); !v.is_null()) fv.verdict = verdict_from(v);
        d.families.push_back(std::move(fv));
    }
    d.anomalies = get<std::vector<std::string>>(doc, "anomalies");
    d.notes = get<std::vector<std::string>>(doc, "notes");
    d.duration_s = get<double>(doc, "duration_s");
    return d;
}

}  // namespace

Result<Diagnosis> read_json(std::istream& in) {
    try {
        const json doc = json::parse(in);
        return diagnosis_from(doc);
    } catch (const json::parse_error& e) {
        return fail(std::string("not valid JSON: ") + e.what());
    } catch (const ReadError& e) {
        return fail(e.what());
    } catch (const json::exception& e) {
        return fail(std::string("unexpected JSON shape: ") + e.what());
    }
}

}  // namespace sniprobe
