// write_json(): the Diagnosis as DESIGN.md §5's document. Every field of the model is
// written (docs/json.md lists them in this order); empty strings that mean "did not
// happen" (failure, tls_version, alert...) and unset optionals become null. The RST
// findings appear once at the top level ("rst") and again under their trial, so a
// reader of one trial sees why it failed without cross-referencing.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <ostream>
#include <sstream>
#include <string_view>

#include "model/offline.hpp"
#include "report/json_names.hpp"
#include "report/json_report.hpp"

namespace sniprobe {
namespace {

using json = nlohmann::ordered_json;  // keeps the documented field order

json nullable(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

template <class T>
json nullable(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

// A stable enum name (model/names.hpp); "" (none) becomes null.
template <class Enum>
json name_of(Enum value) {
    return nullable(std::string(to_name(value)));
}

template <class Enum>
json name_of(const std::optional<Enum>& value) {
    return value ? name_of(*value) : json(nullptr);
}

json packet_json(const PacketRecord& p) {
    return {{"t", p.t},
            {"direction", json_names::direction_name(p.direction)},
            {"flags", json_names::flags_text(p.flags)},
            {"seq", p.seq},
            {"ack", p.ack},
            {"ttl", p.ttl},
            {"ip_id", p.ip_id},
            {"df", p.df},
            {"window", p.window},
            {"payload_len", p.payload_len},
            {"tcp_header_len", p.tcp_header_len},
            {"payload_head", json_names::hex(p.payload_head)}};
}

json rst_json(const RstFinding& f) {
    return {{"trial_id", f.trial_id},
            {"packet_index", f.packet_index},
            {"origin", name_of(f.origin)},
            {"signature", name_of(f.signature)},
            {"flags", json_names::flags_text(f.flags)},
            {"burst_count", f.burst_count},
            {"ttl", f.ttl},
            {"server_synack_ttl", nullable(f.server_synack_ttl)},
            {"hop_difference", nullable(f.hop_difference)},
            {"ip_id", f.ip_id},
            {"ip_id_pattern", name_of(f.ip_id_pattern)},
            {"df", f.df},
            {"window", f.window},
            {"seq_relation", name_of(f.seq_relation)},
            {"delay_ms", nullable(f.delay_ms)},
            {"rtt_ms", nullable(f.rtt_ms)},
            {"after_injected", f.after_injected},
            {"reasons", f.reasons}};
}

json certificate_json(const std::optional<CertificateCheck>& c) {
    if (!c) return nullptr;
    return {{"verified", c->verified},
            {"problem", name_of(c->problem)},
            {"openssl_code", c->openssl_code},
            {"openssl_message", nullable(c->openssl_message)},
            {"chain_subjects", c->chain_subjects},
            {"leaf_not_after", nullable(c->leaf_not_after)}};
}

json trial_json(const Trial& t, const std::vector<RstFinding>& rsts) {
    json packets = json::array();
    for (const auto& p : t.packets) packets.push_back(packet_json(p));
    json icmp = json::array();
    for (const auto& i : t.icmp)
        icmp.push_back({{"t", i.t}, {"from", i.from}, {"type", i.type}, {"code", i.code}});
    json trial_rsts = json::array();
    for (const auto& f : rsts)
        if (f.trial_id == t.id) trial_rsts.push_back(rst_json(f));
    return {{"id", t.id},
            {"variant", std::string(variant_name(t.variant))},
            {"address", t.address},
            {"port", t.port},
            {"server_name", t.server_name},
            {"local_port", t.local_port},
            {"t0", t.t0},
            {"t", t.t},
            {"connect_ms", nullable(t.connect_ms)},
            {"hello_sent_ms", nullable(t.hello_sent_ms)},
            {"first_byte_ms", nullable(t.first_byte_ms)},
            {"failure_ms", nullable(t.failure_ms)},
            {"failure", nullable(std::string(t.failure.text()))},
            {"failed_operation", name_of(t.failed_operation)},
            {"tls_version", nullable(t.tls_version)},
            {"cipher_suite", nullable(t.cipher_suite)},
            {"alpn", nullable(t.alpn)},
            {"alert_received", nullable(t.alert_received)},
            {"server_hello_seen", t.server_hello_seen},
            {"client_hello_bytes", t.client_hello_bytes},
            {"client_hello_segments", t.client_hello_segments},
            {"certificate", certificate_json(t.certificate)},
            {"http_status", nullable(t.http_status)},
            {"http_server_header", nullable(t.http_server_header)},
            {"http_title", nullable(t.http_title)},
            {"captured", t.captured},
            {"packets", packets},
            {"icmp", icmp},
            {"rst", trial_rsts}};
}

json variant_json(const VariantStats& s) {
    return {{"name", std::string(variant_name(s.variant))},
            {"trials", s.trials},
            {"ok", s.ok},
            {"rate", s.rate},
            {"ci95", {s.ci95.low, s.ci95.high}},
            {"failures", s.failures}};
}

json trace_json(const std::optional<TraceResult>& trace) {
    if (!trace) return nullptr;
    json hops = json::array();
    for (const auto& h : trace->hops)
        hops.push_back({{"ttl", h.ttl},
                        {"router", nullable(h.router)},
                        {"outcome", h.outcome},
                        {"control_outcome", nullable(h.control_outcome)}});
    return {{"middlebox_hop", nullable(trace->middlebox_hop)},
            {"middlebox_router", nullable(trace->middlebox_router)},
            {"placement", nullable(trace->placement)},
            {"hops", hops}};
}

json verdict_json(const Verdict& v) {
    json evidence = json::array();
    for (const auto& e : v.evidence) evidence.push_back({{"id", e.id}, {"text", e.text}});
    return {{"cause", name_of(v.cause)},  {"subcode", name_of(v.subcode)},
            {"confidence", v.confidence}, {"summary", v.summary},
            {"evidence", evidence},       {"advice", v.advice}};
}

// The server's side (diagnose --sink), null without it.
json sink_json(const std::optional<SinkReport>& sink) {
    if (!sink) return nullptr;
    json trials = json::array();
    for (const auto& f : sink->trials)
        trials.push_back({{"trial_id", f.trial_id},
                          {"matched_by", f.matched_by},
                          {"syn_seen", f.syn_seen},
                          {"syn_ttl", nullable(f.syn_ttl)},
                          {"client_hello_seen", f.client_hello_seen},
                          {"server_name", f.server_name},
                          {"server_answered", f.server_answered},
                          {"server_sent_rst", f.server_sent_rst},
                          {"rst_received", f.rst_received},
                          {"rst_not_sent_by_us", f.rst_not_sent_by_us},
                          {"rst_ttls", f.rst_ttls},
                          {"finding", name_of(f.finding)}});
    return {{"url", sink->url},
            {"failure", nullable(sink->failure)},
            {"records", sink->records},
            {"trials_matched", sink->trials_matched},
            {"trials_unmatched", sink->trials_unmatched},
            {"trials", trials}};
}

// The residual block after a trigger (diagnose --residual), null without it.
json residual_json(const std::optional<ResidualReport>& residual) {
    if (!residual) return nullptr;
    const ResidualReport& r = *residual;
    json probes = json::array();
    for (const auto& p : r.probes)
        probes.push_back({{"since_trigger_s", p.since_trigger_s},
                          {"port", p.port},
                          {"protocol", p.protocol},
                          {"server_name", p.server_name},
                          {"phase", name_of(p.phase)},
                          {"failure", nullable(std::string(p.failure.text()))},
                          {"answered", p.answered}});
    return {{"status", name_of(r.status)},
            {"trigger_trial_id", nullable(r.trigger_trial_id)},
            {"trigger_t", nullable(r.trigger_t)},
            {"address", nullable(r.address)},
            {"port", r.port == 0 ? json(nullptr) : json(r.port)},
            {"control_server_name", nullable(r.control_name)},
            {"max_s", r.max_s},
            {"window_s", nullable(r.window_s)},
            {"blocked_until_s", nullable(r.blocked_until_s)},
            {"keyed_fields", nullable(r.keyed_fields)},
            {"scope", nullable(r.scope)},
            {"probes", probes}};
}

// The passes of a back-off from a busy server, null when the first pass was kept alone.
json backoff_json(const std::optional<Backoff>& backoff) {
    if (!backoff) return nullptr;
    json passes = json::array();
    for (const BackoffPass& p : backoff->passes)
        passes.push_back({{"concurrency", p.concurrency},
                          {"trials", p.trials},
                          {"failed", p.failed},
                          {"control_trials", p.control_trials},
                          {"control_failed", p.control_failed},
                          {"burst", p.burst}});
    return {{"passes", passes}, {"kept", backoff->kept}};
}

json target_json(const Target& target) {
    return {{"input", target.input},
            {"host", target.host},
            {"server_name", target.sni},
            {"port", target.port},
            {"control_server_name", target.control_sni},
            {"forced_ip", nullable(target.forced_ip)}};
}

void dump(std::ostream& out, const json& doc, JsonStyle style) {
    // Malformed bytes from the network may reach names and titles: replace, never throw.
    out << doc.dump(style == JsonStyle::pretty ? 2 : -1, ' ', false, json::error_handler_t::replace)
        << '\n';
}

// The marker that stands for a diagnosis' trials when they are written one at a time.
constexpr const char* k_trials_marker = "\x01trials streamed\x01";

json diagnosis_json(const Diagnosis& d, bool with_trials = true) {
    json addresses = json::array();
    for (const auto& a : d.resolution.addresses)
        addresses.push_back({{"address", a.address}, {"family", a.family}, {"source", a.source}});
    json variants = json::array();
    for (const auto& s : d.analysis.variants) variants.push_back(variant_json(s));
    json trials = json::array();
    if (with_trials)
        for (const auto& t : d.trials) trials.push_back(trial_json(t, d.analysis.rsts));
    json rsts = json::array();
    for (const auto& f : d.analysis.rsts) rsts.push_back(rst_json(f));

    json doc;
    doc["schema_version"] = k_schema_version;
    doc["software"] = {{"name", "sniprobe"}};
    doc["target"] = target_json(d.target);
    doc["addresses"] = addresses;
    doc["dns"] = {{"failure", nullable(d.resolution.failure)},
                  {"addresses", d.resolution.dns_addresses}};
    doc["variants"] = variants;
    doc["trials"] = with_trials ? std::move(trials) : json(k_trials_marker);
    doc["rst"] = rsts;
    doc["trace"] = trace_json(d.trace);
    doc["sink"] = sink_json(d.sink);
    doc["residual"] = residual_json(d.residual);
    doc["backoff"] = backoff_json(d.backoff);
    doc["verdict"] = verdict_json(d.verdict);
    json families = json::array();
    for (const FamilyVerdict& f : d.families)
        families.push_back({{"family", f.family},
                            {"addresses", f.addresses},
                            {"trials", f.trials},
                            {"verdict", verdict_json(f.verdict)}});
    doc["families"] = families;
    doc["anomalies"] = d.anomalies;
    doc["notes"] = d.notes;
    doc["duration_s"] = d.duration_s;
    return doc;
}

}  // namespace

void write_json(std::ostream& out, const Diagnosis& d, JsonStyle style) {
    dump(out, diagnosis_json(d), style);
}

void write_trace_json(std::ostream& out, const Target& target, const std::string& address,
                      const TraceResult& trace) {
    json doc;
    doc["schema_version"] = k_schema_version;
    doc["software"] = {{"name", "sniprobe"}};
    doc["target"] = target_json(target);
    doc["address"] = address;
    doc["trace"] = trace_json(trace);
    dump(out, doc, JsonStyle::pretty);
}

namespace {

// One value of the capture document as pretty dump() would print it `depth` levels in.
void write_nested(std::ostream& out, const json& value, int depth) {
    const std::string text = value.dump(2, ' ', false, json::error_handler_t::replace);
    const std::string pad(static_cast<size_t>(depth) * 2, ' ');
    std::string nested;  // one write: the stream is synced with stdio, each call costs
    nested.reserve(text.size() + text.size() / 8);
    size_t from = 0;
    for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', from)) {
        nested.append(text, from, nl + 1 - from);
        nested += pad;
        from = nl + 1;
    }
    nested.append(text, from, std::string::npos);
    out.write(nested.data(), static_cast<std::streamsize>(nested.size()));
}

// A top-level array member written one element at a time: a capture's flows and names
// are never held as one document (the same bytes as dump() of the whole).
template <typename Items, typename ToJson>
void write_array_member(std::ostream& out, const char* key, const Items& items, ToJson to_json) {
    out << ",\n  \"" << key << "\": [";
    bool first = true;
    for (const auto& item : items) {
        out << (first ? "\n    " : ",\n    ");
        first = false;
        write_nested(out, to_json(item), 2);
    }
    out << (first ? "]" : "\n  ]");
}

// A JSON string as dump() writes it: plain ASCII as is, anything else through the library
// (escapes, invalid UTF-8 replaced).
void append_string(std::string& out, std::string_view s) {
    const bool plain = std::all_of(s.begin(), s.end(), [](char ch) {
        return ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\';
    });
    if (plain) {
        out += '"';
        out += s;
        out += '"';
    } else {
        out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
    }
}

void append_nullable(std::string& out, std::string_view s) {
    if (s.empty())
        out += "null";
    else
        append_string(out, s);
}

// The flows member, written straight from the FlowList: the same bytes write_nested()
// gives flow_json(), without a JSON tree per flow (captures hold 200,000 flows).
void write_flows_member(std::ostream& out, const FlowList& flows) {
    out << ",\n  \"flows\": [";
    std::string buf;
    buf.reserve(size_t{1} << 16);
    auto frame = [&](uint64_t n) {
        if (n != 0)
            buf += std::to_string(n);
        else
            buf += "null";
    };
    for (size_t i = 0; i < flows.size(); ++i) {
        const FlowFacts f = flows[i];
        buf += i == 0 ? "\n    {\n      \"id\": " : ",\n    {\n      \"id\": ";
        buf += std::to_string(f.trial_id);
        buf += ",\n      \"file\": ";
        append_string(buf, f.file);
        buf += ",\n      \"client\": ";
        append_string(buf, f.client);
        buf += ",\n      \"client_port\": ";
        buf += std::to_string(f.client_port);
        buf += ",\n      \"server\": ";
        append_string(buf, f.server);
        buf += ",\n      \"server_port\": ";
        buf += std::to_string(f.server_port);
        buf += ",\n      \"server_name\": ";
        append_nullable(buf, f.sni);
        buf += ",\n      \"hello_shape\": ";
        append_nullable(buf, f.hello_shape);
        buf += ",\n      \"outcome\": ";
        append_string(buf, to_name(f.outcome));
        buf += ",\n      \"by\": ";
        append_nullable(buf, to_name(f.by));
        buf += ",\n      \"detail\": ";
        append_nullable(buf, f.detail);
        buf += ",\n      \"probe_ttl\": ";
        if (f.probe_ttl)
            buf += std::to_string(*f.probe_ttl);
        else
            buf += "null";
        buf += ",\n      \"icmp_router\": ";
        append_nullable(buf, f.icmp_router);
        buf += ",\n      \"frames\": {\n        \"syn\": ";
        frame(f.syn_frame);
        buf += ",\n        \"syn_ack\": ";
        frame(f.synack_frame);
        buf += ",\n        \"client_hello\": ";
        frame(f.hello_frame);
        buf += ",\n        \"end\": ";
        frame(f.end_frame);
        buf += ",\n        \"packets\": [";
        for (size_t k = 0; k < f.packet_frames.size(); ++k) {
            buf += k == 0 ? "\n          " : ",\n          ";
            buf += std::to_string(f.packet_frames[k]);
        }
        buf += f.packet_frames.empty() ? "]" : "\n        ]";
        buf += "\n      },\n      \"anomalies\": [";
        for (size_t k = 0; k < f.anomalies.size(); ++k) {
            buf += k == 0 ? "\n        " : ",\n        ";
            append_string(buf, f.anomalies[k]);
        }
        buf += f.anomalies.empty() ? "]" : "\n      ]";
        buf += "\n    }";
        if (buf.size() >= (size_t{1} << 16) - 4096) {
            out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
            buf.clear();
        }
    }
    buf += flows.empty() ? "]" : "\n  ]";
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

}  // namespace

void write_capture_json(std::ostream& out, const CaptureAnalysis& c) {
    out << "{\n  \"schema_version\": ";
    write_nested(out, json(k_schema_version), 1);
    out << ",\n  \"software\": ";
    write_nested(out, json{{"name", "sniprobe"}}, 1);
    out << ",\n  \"capture\": ";
    write_nested(out,
                 json{{"files", c.files},
                      {"side", to_name(c.side)},
                      {"frames", c.frames},
                      {"bytes", c.bytes},
                      {"anomalies", c.anomalies},
                      {"notes", c.notes}},
                 1);
    write_flows_member(out, c.flows);
    // A name's diagnosis lists every flow it was judged from: its trials are written one
    // at a time too, where the marker stands in the rest of the diagnosis.
    out << ",\n  \"names\": [";
    for (size_t i = 0; i < c.names.size(); ++i) {
        const NameVerdict& n = c.names[i];
        out << (i == 0 ? "\n    " : ",\n    ");
        std::ostringstream rest;
        write_nested(rest,
                     json{{"name", n.name},
                          {"flows", n.flows},
                          {"diagnosis", diagnosis_json(n.diagnosis, false)}},
                     2);
        const std::string text = rest.str();
        // Keyed, so a name that holds the marker's text (escaped, in quotes) never matches.
        const std::string key = "\"trials\": ";
        const std::string marker = key + json(k_trials_marker).dump();
        const size_t at = text.find(marker);
        out.write(text.data(), static_cast<std::streamsize>(at + key.size()));
        out << '[';
        const auto& trials = n.diagnosis.trials;
        // Each trial's findings, in their order: one pass, not one per trial.
        std::map<int, std::vector<RstFinding>> findings;
        for (const auto& f : n.diagnosis.analysis.rsts) findings[f.trial_id].push_back(f);
        static const std::vector<RstFinding> k_none;
        for (size_t t = 0; t < trials.size(); ++t) {
            out << (t == 0 ? "\n          " : ",\n          ");
            const auto found = findings.find(trials[t].id);
            write_nested(
                out, trial_json(trials[t], found != findings.end() ? found->second : k_none), 5);
        }
        out << (trials.empty() ? "]" : "\n        ]");
        out << text.substr(at + marker.size());
    }
    out << (c.names.empty() ? "]" : "\n  ]");
    write_array_member(out, "addresses", c.addresses, [](const AddressSummary& a) {
        return json{{"address", a.address}, {"names", a.names}};
    });
    out << "\n}\n";
}

}  // namespace sniprobe
