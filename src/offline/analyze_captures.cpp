// Reading, then judging. Flows arrive from the tracker in the order they end; they are
// numbered in the order they began (file, then first frame), so the report lists them as
// Wireshark's conversation list would.
#include "offline/analyze_captures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "analysis/analyze.hpp"
#include "analysis/rst_forensics.hpp"
#include "capture/link_frame.hpp"
#include "offline/capture_reader.hpp"
#include "offline/reservoir.hpp"
#include "trace/trace.hpp"
#include "verdict/decide.hpp"

namespace sniprobe::offline {
namespace {

bool at_initial_ttl(uint8_t ttl) {
    return ttl == 64 || ttl == 128 || ttl == 255;
}

// A flow the verdict should count: a TLS hello that was sent (or a TLS port that never
// let it be sent), and not a TTL-limited hello that expired on the way.
bool counts_for_verdict(const FlowView& f) {
    if (f.outcome == FlowOutcome::not_tls || f.outcome == FlowOutcome::silent_client) return false;
    if (f.sni_unknown) return false;  // cut before the SNI: neither the name nor a control
    // A TTL-limited hello counts only where something answered it: one that expired or
    // vanished on the way says nothing about the name.
    if (f.probe_ttl)
        return f.outcome == FlowOutcome::reset || f.outcome == FlowOutcome::fin ||
               f.outcome == FlowOutcome::alert || f.outcome == FlowOutcome::completed ||
               f.outcome == FlowOutcome::server_hello || f.outcome == FlowOutcome::plain_http;
    return true;
}

std::string trace_outcome(const FlowView& f) {
    // A reset or an answer beats the time-exceeded: a box before the hop where the hello
    // expired still saw it and reacted.
    switch (f.outcome) {
        case FlowOutcome::reset:
            // The server's own reset (its fingerprint) shows the hello reached it.
            if (f.by == FlowSide::server && f.end_origin == RstOrigin::server) return "server_rst";
            if (f.by == FlowSide::server) return "rst";
            return f.icmp_router.empty() ? "timeout" : "time_exceeded";
        case FlowOutcome::fin:
            return "fin";
        case FlowOutcome::alert:
            return "alert";
        case FlowOutcome::completed:
        case FlowOutcome::server_hello:
            return "server_hello";
        case FlowOutcome::plain_http:
            return "data";
        case FlowOutcome::refused:
        case FlowOutcome::no_answer:
            return "connect_failed";
        default:
            return f.icmp_router.empty() ? "timeout" : "time_exceeded";
    }
}

void most_common_port(const FlowList& list, const std::vector<size_t>& flows, uint16_t& port) {
    std::map<uint16_t, int> counts;
    for (size_t i : flows) ++counts[list.view(i).server_port];
    int best = 0;
    for (const auto& [p, n] : counts)
        if (n > best) {
            best = n;
            port = p;
        }
}

// Flow indexes by server name and by server address, so each name's verdict reads its own
// flows and its addresses' flows, not the whole capture once per name.
// What each name's plan reads of every flow at its addresses, read from the FlowList
// once: a shared address carries the flows of many names.
struct FlowBrief {
    std::string_view sni;  // a view into the FlowList
    int trial_at = -1;     // position in CaptureAnalysis::trials; -1: not judged
    FlowOutcome outcome = FlowOutcome::not_tls;
    bool counts = false;  // counts_for_verdict()
    bool probe = false;   // a TTL-limited hello
};

struct FlowIndex {
    std::map<std::string, std::vector<size_t>, std::less<>> by_name, by_address;
    std::vector<FlowBrief> briefs;  // by flow index
};

// Flows with other names to the same addresses that one name's verdict compares with: the
// differential needs tens, not the thousands a shared (CDN) address may carry, and each is
// a copy per name.
constexpr size_t k_max_comparison_flows = 256;
// And all names together: a server-side capture of a host with thousands of names would
// otherwise copy 256 flows for each. Beyond 64 names each compares with fewer, never
// fewer than k_min_comparison_flows.
constexpr size_t k_comparison_budget = 16384;
constexpr size_t k_min_comparison_flows = 4;

size_t comparisons_per_name(size_t names) {
    if (names == 0) return k_max_comparison_flows;
    return std::clamp(k_comparison_budget / names, k_min_comparison_flows, k_max_comparison_flows);
}

// One name's flows, chosen before any trial is copied: a trial read by several names is
// copied for all but the last, which takes it (trials are the bulk of analyze's memory).
struct NamePlan {
    NameVerdict nv;
    std::vector<size_t> own;                        // flow indexes
    std::vector<std::pair<size_t, Variant>> picks;  // position in trials, as which variant
    std::vector<trace::TraceObservation> observations;
    size_t addresses = 0, comparisons_left_out = 0, max_comparisons = 0;
    size_t own_judged = 0, own_not_judged = 0;
    std::map<std::string_view, size_t> own_outcomes;  // every own handshake, judged or not
};

NamePlan plan_name(const CaptureAnalysis& c, const FlowIndex& index, const std::string& name,
                   bool nameless, size_t max_comparisons) {
    NamePlan plan;
    plan.max_comparisons = max_comparisons;
    NameVerdict& nv = plan.nv;
    nv.name = name;
    Diagnosis& d = nv.diagnosis;
    // The name's flows and its server addresses.
    std::set<std::string, std::less<>> addresses;
    std::vector<size_t>& own = plan.own;
    static const std::vector<size_t> k_none;
    auto found = nameless ? index.by_address.find(name) : index.by_name.find(name);
    const auto& candidates =
        found != (nameless ? index.by_address.end() : index.by_name.end()) ? found->second : k_none;
    for (size_t i : candidates) {
        const FlowView f = c.flows.view(i);
        const bool mine =
            nameless ? (f.sni.empty() && !f.sni_unknown && f.server == name) : f.sni == name;
        if (!mine || f.outcome == FlowOutcome::not_tls) continue;
        own.push_back(i);
        nv.flows.push_back(f.trial_id);
        if (!addresses.contains(f.server)) addresses.emplace(f.server);
    }
    d.target.input = name;
    d.target.host = name;
    d.target.sni = nameless ? "" : name;
    most_common_port(c.flows, own, d.target.port);
    for (const auto& a : addresses)
        d.resolution.addresses.push_back(
            AddressInfo{a, a.find(':') != std::string::npos ? "ipv6" : "ipv4", "capture"});

    std::vector<trace::TraceObservation>& observations = plan.observations;
    std::vector<size_t> at_addresses;
    for (const auto& a : addresses) {
        const auto& flows = index.by_address.find(a)->second;
        at_addresses.insert(at_addresses.end(), flows.begin(), flows.end());
    }
    std::sort(at_addresses.begin(), at_addresses.end());
    size_t comparisons = 0;
    for (size_t i : at_addresses) {
        const FlowBrief& f = index.briefs[i];
        if (f.outcome == FlowOutcome::not_tls) continue;
        const bool target = nameless ? f.sni.empty() : f.sni == name;
        if (f.probe) {
            const FlowView probe = c.flows.view(i);
            trace::TraceObservation o;
            o.ttl = *probe.probe_ttl;
            o.role = target ? trace::NameRole::target : trace::NameRole::control;
            o.outcome = trace_outcome(probe);
            o.router = probe.icmp_router;
            observations.push_back(std::move(o));
        }
        if (!f.counts) continue;
        if (target) ++plan.own_outcomes[to_name(f.outcome)];
        // Beyond the judged sample (AnalyzeOptions): listed and counted, not judged.
        if (f.trial_at < 0) {
            if (target) ++plan.own_not_judged;
            continue;
        }
        if (target) ++plan.own_judged;
        if (!target && ++comparisons > max_comparisons) {
            ++plan.comparisons_left_out;
            continue;
        }
        Variant variant = Variant::sni;
        if (!target && f.sni.empty()) {
            variant = Variant::no_sni;
        } else if (!target) {
            variant = Variant::control_sni;
            if (d.target.control_sni.empty()) d.target.control_sni = f.sni;
        }
        plan.picks.emplace_back(static_cast<size_t>(f.trial_at), variant);
    }
    plan.addresses = addresses.size();
    return plan;
}

// The verdict of a planned name whose trials have been filled in.
NameVerdict judge_name(const CaptureAnalysis& c, NamePlan&& plan) {
    NameVerdict nv = std::move(plan.nv);
    Diagnosis& d = nv.diagnosis;
    const auto& own = plan.own;
    auto& observations = plan.observations;
    d.analysis = analyze(d.trials);
    // RSTs in the client's name: only an injected one is the network's doing; the
    // client's own resets are its stack's business and never count against the server.
    std::map<int, size_t> first_injected;  // trial id -> packet index
    for (auto& finding : client_rst_findings(d.trials)) {
        if (finding.origin != RstOrigin::injected) continue;
        auto [it, fresh] = first_injected.emplace(finding.trial_id, finding.packet_index);
        if (!fresh) it->second = std::min<size_t>(it->second, finding.packet_index);
        d.analysis.rsts.push_back(std::move(finding));
    }
    for (auto& finding : d.analysis.rsts) {
        auto it = first_injected.find(finding.trial_id);
        if (it != first_injected.end() && finding.origin != RstOrigin::injected &&
            static_cast<size_t>(finding.packet_index) > it->second)
            finding.after_injected = true;
    }
    std::stable_sort(d.analysis.rsts.begin(), d.analysis.rsts.end(),
                     [](const RstFinding& a, const RstFinding& b) {
                         return std::tie(a.trial_id, a.packet_index) <
                                std::tie(b.trial_id, b.packet_index);
                     });
    // A silent hop below one that answered lost its ICMP (rate limits): a box that
    // black-holes the hello would silence every later hop too.
    for (auto& o : observations) {
        if (o.outcome != "timeout") continue;
        const bool later_answer =
            std::any_of(observations.begin(), observations.end(), [&](const auto& other) {
                return other.role == o.role && other.ttl > o.ttl &&
                       (other.outcome == "time_exceeded" || other.outcome == "server_hello" ||
                        other.outcome == "server_rst");
            });
        if (later_answer) o.outcome = "icmp_lost";
    }
    if (!observations.empty()) d.trace = trace::summarize_trace(observations);
    int warned = 0;
    std::string warning;
    for (size_t i : own)
        if (const FlowView f = c.flows.view(i); f.detail.starts_with("warning ")) {
            ++warned;
            warning = f.detail.substr(0, f.detail.find(','));
        }
    if (warned > 0)
        d.notes.push_back(fmt::format(
            "{} of {} handshakes drew a TLS {} alert from the server (not fatal){}", warned,
            own.size(), warning,
            warning.find("unrecognized_name") != std::string::npos
                ? ": the server has no configuration for this name and answered with its default"
                : ""));
    d.verdict = decide(d);
    const bool client_certificate = std::any_of(own.begin(), own.end(), [&](size_t i) {
        const FlowView f = c.flows.view(i);
        return f.outcome == FlowOutcome::alert &&
               f.detail.find("CertificateRequest") != std::string::npos;
    });
    if (client_certificate && d.verdict.cause == Cause::tls_alert)
        d.verdict.advice.insert(
            d.verdict.advice.begin(),
            "The server asked for a client certificate (CertificateRequest) and then refused "
            "the handshake: it requires mutual TLS. Give the client a certificate the server "
            "trusts, or relax ssl_verify_client.");
    if (plan.comparisons_left_out > 0)
        d.notes.push_back(fmt::format(
            "{} more flows with other names to the same address{} "
            "are not compared (the first {} are)",
            plan.comparisons_left_out, plan.addresses == 1 ? "" : "es", plan.max_comparisons));
    // Every own flow read (a small capture): counted as before, hellos that do not count
    // for the verdict included.
    const size_t own_judged = plan.own_not_judged == 0 ? own.size() : plan.own_judged;
    if (plan.own_not_judged > 0) {
        std::string all;
        for (const auto& [outcome, n] : plan.own_outcomes)
            all += fmt::format("{}{} {}", all.empty() ? "" : ", ", outcome, n);
        d.notes.push_back(
            fmt::format("the verdict reads {} of these {} handshakes, a uniform sample of each "
                        "server address's; the others are listed, not judged (all of them: {})",
                        plan.own_judged, plan.own_judged + plan.own_not_judged, all));
    }
    d.notes.push_back(fmt::format(
        "from {} flow{} in the capture; {} to compare with", own.size(), own.size() == 1 ? "" : "s",
        d.trials.size() > own_judged
            ? fmt::format("{} other flows to the same address", d.trials.size() - own_judged)
            : std::string("no other names")));
    return nv;
}

}  // namespace

void SideTally::add(const Trial& t) {
    const PacketRecord* syn = nullptr;
    const PacketRecord* synack = nullptr;
    for (const auto& p : t.packets) {
        if (!syn && p.direction == Direction::outbound && p.flags == tcp_flag::syn) syn = &p;
        if (!synack && p.direction == Direction::inbound &&
            (p.flags & (tcp_flag::syn | tcp_flag::ack)) == (tcp_flag::syn | tcp_flag::ack))
            synack = &p;
    }
    if (!syn || !synack) return;
    const bool c = at_initial_ttl(syn->ttl), s = at_initial_ttl(synack->ttl);
    // Both at an initial TTL (one host, or one LAN) counts as the client's side.
    if (c)
        ++client;
    else if (s)
        ++server;
    else
        ++middle;
}

CaptureSide SideTally::side() const {
    if (client + server + middle == 0) return CaptureSide::unknown;
    if (client >= server && client >= middle) return CaptureSide::client;
    return server >= middle ? CaptureSide::server : CaptureSide::middle;
}

CaptureSide capture_side(const std::vector<Trial>& trials) {
    SideTally tally;
    for (const auto& t : trials) tally.add(t);
    return tally.side();
}

std::vector<RstFinding> client_rst_findings(const std::vector<Trial>& trials) {
    std::vector<Trial> mirrored;
    for (const auto& t : trials) {
        const bool client_rst =
            std::any_of(t.packets.begin(), t.packets.end(), [](const PacketRecord& p) {
                return p.direction == Direction::outbound && (p.flags & tcp_flag::rst) != 0;
            });
        if (!client_rst) continue;
        Trial m;
        m.id = t.id;
        m.variant = t.variant;
        m.address = t.address;
        m.port = t.port;
        m.captured = true;
        m.t0 = t.t0;
        m.packets = t.packets;
        for (auto& p : m.packets) {
            const bool was_out = p.direction == Direction::outbound;
            p.direction = was_out ? Direction::inbound : Direction::outbound;
            // The sender's SYN is its baseline, as the server's SYN-ACK is for its RSTs.
            if (was_out && p.flags == tcp_flag::syn)
                p.flags |= tcp_flag::ack;
            else if (!was_out &&
                     (p.flags & (tcp_flag::syn | tcp_flag::ack)) == (tcp_flag::syn | tcp_flag::ack))
                p.flags = tcp_flag::syn;
        }
        mirrored.push_back(std::move(m));
    }
    std::vector<RstFinding> out;
    for (auto& f : analyze_rsts(mirrored)) {
        if ((f.flags & tcp_flag::rst) == 0) continue;  // FINs: the client may close as it likes
        f.reasons.insert(f.reasons.begin(),
                         "sent in the client's name; judged against the client's own SYN");
        out.push_back(std::move(f));
    }
    return out;
}

CaptureAnalysis read_captures(const std::vector<std::string>& paths,
                              const AnalyzeOptions& options) {
    CaptureAnalysis c;
    std::map<std::string, size_t> file_order;
    for (size_t i = 0; i < paths.size(); ++i) file_order.emplace(paths[i], i);
    // Each flow is packed as it ends; only the judged sample keeps its whole trial.
    std::vector<std::pair<size_t, uint64_t>> begins;  // (file, first frame) per flow
    std::vector<size_t> judged_flow;                  // flow index of each trial kept
    // Per (name, server address): its sample, and the c.trials slot of each sampled flow.
    struct Group {
        Reservoir sample;
        std::vector<size_t> slots;
    };
    std::unordered_map<std::string, Group> per_group;
    SideTally side;
    size_t non_tls = 0;
    FlowTracker tracker(
        [&](FinishedFlow&& f) {
            if (f.facts.outcome == FlowOutcome::not_tls && ++non_tls > options.max_non_tls_flows)
                return;
            if (c.flows.size() >= options.max_flows) {
                ++c.anomalies["flows_over_limit"];
                return;
            }
            for (const auto& a : f.facts.anomalies) ++c.anomalies[a];
            side.add(f.trial);
            // The judged sample: a uniform sample (reservoir) of each name and server
            // address's flows, so the verdict's rates are those of all its flows; TTL-limited
            // hellos and non-TLS flows are all kept, within the overall cap.
            const size_t flow_index = c.flows.size();
            if (f.facts.probe_ttl || f.facts.outcome == FlowOutcome::not_tls) {
                if (judged_flow.size() < options.max_judged_flows) {
                    judged_flow.push_back(flow_index);
                    c.trials.push_back(std::move(f.trial));
                } else {
                    ++c.flows_not_judged;
                }
            } else {
                Group& g = per_group[fmt::format("{}\n{}\n{}", f.facts.sni, f.facts.server,
                                                 f.facts.sni_unknown)];
                // The overall cap spares each name and address its first few flows: a name
                // late in a capture of thousands is judged too, not left with none.
                const auto slot = g.sample.offer(options.judged_per_group,
                                                 judged_flow.size() < options.max_judged_flows ||
                                                     g.slots.size() < options.judged_at_least);
                if (slot && *slot == g.slots.size()) {  // a new slot
                    g.slots.push_back(c.trials.size());
                    judged_flow.push_back(flow_index);
                    c.trials.push_back(std::move(f.trial));
                } else {
                    // This flow, or the one it replaces, is left out of the sample.
                    ++c.flows_not_judged;
                    if (slot) {
                        judged_flow[g.slots[*slot]] = flow_index;
                        c.trials[g.slots[*slot]] = std::move(f.trial);
                    }
                }
            }
            const auto file = file_order.find(f.facts.file);
            begins.emplace_back(file == file_order.end() ? paths.size() : file->second,
                                f.facts.packet_frames.empty() ? 0 : f.facts.packet_frames.front());
            c.flows.push_back(f.facts);
        },
        options.limits);
    for (const auto& path : paths) {
        c.files.push_back(path);
        auto reader = CaptureReader::open(path);
        if (!reader) {
            c.notes.push_back(reader.error().message);
            ++c.anomalies["unreadable_file"];
            continue;
        }
        tracker.begin_file(path);
        const int link = reader->link_type();
        Frame frame;
        ReadEnd end = ReadEnd::more;
        bool link_checked = false;
        while ((end = reader->next(frame)) == ReadEnd::more) {
            ++c.frames;
            if (frame.bytes.size() < frame.wire_len) ++c.anomalies["snaplen_cut_frame"];
            if (!link_checked) {
                link_checked = true;
                if (capture::decode_link_frame(link, frame.bytes).anomaly ==
                    capture::FrameAnomaly::unsupported_link_type)
                    c.notes.push_back(fmt::format("{}: link type {} is not decoded", path, link));
            }
            tracker.add(frame, link);
        }
        // Frame numbers are the file's own: a flow never spans two files.
        tracker.finish();
        c.bytes += reader->bytes_read();
        if (end == ReadEnd::truncated_file) {
            ++c.anomalies["truncated_file"];
            c.notes.push_back(
                fmt::format("{}: the file ends inside frame {} ({}); the frames "
                            "before it are analysed",
                            path, frame.number + 1, reader->error()));
        } else if (end == ReadEnd::read_error) {
            ++c.anomalies["read_error"];
            c.notes.push_back(fmt::format("{}: read error after frame {} ({})", path, frame.number,
                                          reader->error()));
        }
    }
    for (const auto& [name, n] : tracker.anomalies()) c.anomalies[name] += n;
    if (non_tls > options.max_non_tls_flows)
        c.notes.push_back(fmt::format("{} non-TLS flows with resets; the first {} are listed",
                                      non_tls, options.max_non_tls_flows));
    if (c.flows_not_judged > 0)
        c.notes.push_back(fmt::format(
            "{} of {} flows are listed but not judged: the verdicts read a uniform sample of "
            "{} flows of each name and server address (at most {} in all)",
            c.flows_not_judged, c.flows.size(), options.judged_per_group,
            options.max_judged_flows));
    // Numbered in the order they began (file, then first frame).
    std::vector<size_t> order(c.flows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return begins[a] < begins[b]; });
    std::vector<int> id_of(order.size());
    for (size_t k = 0; k < order.size(); ++k) id_of[order[k]] = static_cast<int>(k);
    c.flows.permute(order);
    for (size_t k = 0; k < c.flows.size(); ++k) c.flows.set_trial_id(k, static_cast<int>(k));
    for (size_t j = 0; j < c.trials.size(); ++j) c.trials[j].id = id_of[judged_flow[j]];
    std::sort(c.trials.begin(), c.trials.end(),
              [](const Trial& a, const Trial& b) { return a.id < b.id; });
    c.side = side.side();
    return c;
}

void judge_captures(CaptureAnalysis& c) {
    // Who sent the RST that ended each flow, by the same forensics (all judged TLS flows at
    // once, so round trips and IP IDs compare across connections as in diagnose). The
    // trials move in and back: no copies.
    {
        std::vector<size_t> from;
        std::vector<Trial> tls;
        for (size_t j = 0; j < c.trials.size(); ++j)
            if (c.flows.outcome(static_cast<size_t>(c.trials[j].id)) == FlowOutcome::reset) {
                from.push_back(j);
                tls.push_back(std::move(c.trials[j]));
            }
        const auto findings = analyze_rsts(tls);
        for (size_t k = 0; k < tls.size(); ++k) c.trials[from[k]] = std::move(tls[k]);
        for (const auto& r : findings) {
            const auto i = static_cast<size_t>(r.trial_id);
            const FlowFacts f = c.flows[i];
            const auto index = static_cast<size_t>(r.packet_index);
            if (index < f.packet_frames.size() && f.packet_frames[index] == f.end_frame)
                c.flows.set_end_origin(i, r.origin);
        }
    }
    std::set<std::string, std::less<>> names, nameless_addresses;
    std::map<std::string, AddressSummary, std::less<>> by_address;
    FlowIndex index;
    index.briefs.resize(c.flows.size());
    for (size_t j = 0; j < c.trials.size(); ++j)
        index.briefs[static_cast<size_t>(c.trials[j].id)].trial_at = static_cast<int>(j);
    for (size_t i = 0; i < c.flows.size(); ++i) {
        const FlowView f = c.flows.view(i);
        FlowBrief& brief = index.briefs[i];
        brief.sni = f.sni;
        brief.outcome = f.outcome;
        brief.counts = counts_for_verdict(f);
        brief.probe = f.probe_ttl.has_value();
        auto at = index.by_address.find(f.server);
        if (at == index.by_address.end()) at = index.by_address.emplace(f.server, 0).first;
        at->second.push_back(i);
        if (!f.sni.empty()) {
            auto named = index.by_name.find(f.sni);
            if (named == index.by_name.end()) named = index.by_name.emplace(f.sni, 0).first;
            named->second.push_back(i);
        }
        if (f.outcome == FlowOutcome::not_tls) continue;
        if (!counts_for_verdict(f) && !f.probe_ttl) continue;
        if (f.sni.empty()) {
            if (!nameless_addresses.contains(f.server)) nameless_addresses.emplace(f.server);
        } else if (!names.contains(f.sni)) {
            names.emplace(f.sni);
        }
        auto summary = by_address.find(f.server);
        if (summary == by_address.end()) {
            summary = by_address.emplace(f.server, AddressSummary{}).first;
            summary->second.address = f.server;
        }
        ++summary->second.names[f.sni.empty() ? "(no SNI)" : std::string(f.sni)]
                               [std::string(to_name(f.outcome))];
    }
    std::vector<NamePlan> plans;
    const size_t max_comparisons = comparisons_per_name(names.size() + nameless_addresses.size());
    for (const auto& n : names) plans.push_back(plan_name(c, index, n, false, max_comparisons));
    for (const auto& a : nameless_addresses)
        plans.push_back(plan_name(c, index, a, true, max_comparisons));
    std::vector<int> readers(c.trials.size(), 0);
    for (const auto& plan : plans)
        for (const auto& [at, variant] : plan.picks) ++readers[at];
    std::vector<Trial> others;
    for (const auto& t : c.trials)
        if (c.flows.outcome(static_cast<size_t>(t.id)) == FlowOutcome::not_tls) others.push_back(t);
    for (auto& plan : plans) {
        auto& trials = plan.nv.diagnosis.trials;
        trials.reserve(plan.picks.size());
        for (const auto& [at, variant] : plan.picks) {
            if (--readers[at] == 0)
                trials.push_back(std::move(c.trials[at]));  // its last reader takes it
            else
                trials.push_back(c.trials[at]);
            trials.back().variant = variant;
        }
        c.names.push_back(judge_name(c, std::move(plan)));
    }
    for (auto& [address, summary] : by_address) c.addresses.push_back(std::move(summary));
    c.other_rsts = analyze_rsts(others);
}

}  // namespace sniprobe::offline
