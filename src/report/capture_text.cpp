// write_capture_text(): the name sections reuse write_text() whole, so a verdict reads
// the same whether diagnose probed it or analyze found it in a capture.
#include "report/capture_text.hpp"

#include <fmt/format.h>

#include <optional>
#include <ostream>
#include <set>

namespace sniprobe {
namespace {

// Flow rows listed per name before "... more flows": flows with evidence (an RST or FIN
// finding, an anomaly) are listed beyond it too.
constexpr size_t k_flow_rows = 50;

std::optional<FlowFacts> flow_of(const CaptureAnalysis& c, int trial_id) {
    if (trial_id < 0 || static_cast<size_t>(trial_id) >= c.flows.size()) return std::nullopt;
    return c.flows[static_cast<size_t>(trial_id)];
}

std::string frame_text(uint64_t frame) {
    return frame != 0 ? std::to_string(frame) : "-";
}

std::string outcome_text(const FlowFacts& f) {
    std::string s(to_name(f.outcome));
    if (f.by != FlowSide::none) s += fmt::format(" by {}", to_name(f.by));
    if (!f.detail.empty()) s += " (" + printable_text(f.detail) + ")";
    if (f.probe_ttl) {
        s += fmt::format(" [hello TTL {}", *f.probe_ttl);
        if (!f.icmp_router.empty()) s += ", expired at " + f.icmp_router;
        s += "]";
    }
    return s;
}

void write_findings(std::ostream& out, const CaptureAnalysis& c,
                    const std::vector<RstFinding>& findings) {
    bool header = false;
    for (const auto& r : findings) {
        const auto f = flow_of(c, r.trial_id);
        if (!f || r.packet_index < 0 ||
            static_cast<size_t>(r.packet_index) >= f->packet_frames.size())
            continue;
        if (!header) {
            out << "\nresets and closes by frame\n";
            header = true;
        }
        const bool rst = (r.flags & 0x04) != 0;
        out << fmt::format("  frame {:>6} (flow {}): {} {}: TTL {}{}, IP ID {}, window {}{}\n",
                           f->packet_frames[static_cast<size_t>(r.packet_index)], r.trial_id,
                           rst ? "RST" : "FIN", to_name(r.origin), r.ttl,
                           r.server_synack_ttl
                               ? fmt::format(" (sender's SYN/SYN-ACK {})", *r.server_synack_ttl)
                               : "",
                           r.ip_id, r.window,
                           r.signature ? fmt::format(", signature {}", to_name(*r.signature)) : "");
        for (const auto& reason : r.reasons) out << "      " << printable_text(reason) << '\n';
    }
}

void write_flows(std::ostream& out, const CaptureAnalysis& c, const NameVerdict& n) {
    out << "\nflows (frame numbers as Wireshark shows them)\n";
    out << fmt::format("  {:>4}  {:<30} {:>6} {:>6} {:>6} {:>6}  {}\n", "flow", "client -> server",
                       "SYN", "SYNACK", "hello", "end", "outcome");
    std::set<int> evidence;
    for (const auto& r : n.diagnosis.analysis.rsts) evidence.insert(r.trial_id);
    size_t listed = 0, more = 0;
    for (int id : n.flows) {
        if (id < 0 || static_cast<size_t>(id) >= c.flows.size()) continue;
        if (listed >= k_flow_rows && !evidence.contains(id) &&
            !c.flows.view(static_cast<size_t>(id)).has_anomalies) {
            ++more;
            continue;
        }
        ++listed;
        const auto f = flow_of(c, id);
        out << fmt::format(
            "  {:>4}  {:<30} {:>6} {:>6} {:>6} {:>6}  {}\n", id,
            fmt::format("{}:{} -> {}:{}", f->client, f->client_port, f->server, f->server_port),
            frame_text(f->syn_frame), frame_text(f->synack_frame), frame_text(f->hello_frame),
            frame_text(f->end_frame), outcome_text(*f));
        if (!f->hello_shape.empty()) out << "        hello: " << f->hello_shape << '\n';
        if (!f->anomalies.empty())
            out << fmt::format("        anomalies: {}\n", fmt::join(f->anomalies, ", "));
    }
    if (more > 0) out << fmt::format("  ... {} more flows (--json lists them all)\n", more);
    write_findings(out, c, n.diagnosis.analysis.rsts);
}

}  // namespace

void write_capture_text(std::ostream& out, const CaptureAnalysis& c, const TextOptions& options) {
    out << fmt::format("capture  {} ({} frames, {} flows followed), taken on the {} side\n",
                       fmt::join(c.files, ", "), c.frames, c.flows.size(), to_name(c.side));
    if (c.names.empty()) out << "\nno TLS handshake found in the capture\n";
    for (const auto& n : c.names) {
        out << "\n== " << printable_text(n.name) << " ==\n";
        write_text(out, n.diagnosis, options);
        write_flows(out, c, n);
    }
    bool shown = false;
    for (const auto& a : c.addresses) {
        if (a.names.size() < 2) continue;
        if (!shown) {
            out << "\nper server address (several names: the differential)\n";
            shown = true;
        }
        out << "  " << a.address << '\n';
        for (const auto& [name, outcomes] : a.names) {
            std::string counts;
            for (const auto& [o, k] : outcomes) counts += fmt::format(" {} {}", o, k);
            out << fmt::format("    {:<32}{}\n", printable_text(name), counts);
        }
    }
    bool others = false;
    for (size_t i = 0; i < c.flows.size(); ++i) {
        if (c.flows.outcome(i) != FlowOutcome::not_tls) continue;
        const FlowView f = c.flows.view(i);
        if (!others) out << "\nnon-TLS flows with resets\n";
        others = true;
        out << fmt::format("  flow {} {}:{} -> {}:{}, first reset by {} (frame {})\n", f.trial_id,
                           f.client, f.client_port, f.server, f.server_port, to_name(f.by),
                           f.end_frame);
    }
    write_findings(out, c, c.other_rsts);
    if (!c.anomalies.empty()) {
        out << "\ncapture anomalies\n";
        for (const auto& [name, n] : c.anomalies) out << fmt::format("  {:>6} x {}\n", n, name);
    }
    if (!c.notes.empty()) {
        out << "\ncapture notes\n";
        for (const auto& line : c.notes) out << "  - " << printable_text(line) << '\n';
    }
}

}  // namespace sniprobe
