// build_ladder() and write_ladder_svg(): lanes at fixed x positions of a 760-unit wide
// viewBox (the SVG scales to the page and to A4), one row per packet in capture order,
// the time since the trial started in the left margin. Arrow heads are drawn as
// polygons rather than SVG markers, so several ladders on one page share no ids.
#include "report/ladder_svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>

#include "report/html_fields.hpp"
#include "report/html_report.hpp"

namespace sniprobe {
namespace {

constexpr double k_width = 760;
constexpr double k_header_height = 46;
constexpr double k_row_height = 34;
constexpr double k_footer_height = 14;
constexpr double k_client_x = 130;
constexpr double k_hop_x = 400;
constexpr double k_server_x = 670;
constexpr double k_head_length = 9;

double lane_x(LadderLane lane) {
    switch (lane) {
        case LadderLane::client:
            return k_client_x;
        case LadderLane::hop:
            return k_hop_x;
        default:
            return k_server_x;
    }
}

const RstFinding* finding_for(const Diagnosis& d, int trial_id, int packet_index) {
    for (const auto& f : d.analysis.rsts)
        if (f.trial_id == trial_id && f.packet_index == packet_index) return &f;
    return nullptr;
}

ArrowKind kind_of(const RstFinding* f) {
    if (f == nullptr) return ArrowKind::plain;
    switch (f->origin) {
        case RstOrigin::injected:
            return ArrowKind::injected;
        case RstOrigin::server:
            return ArrowKind::server_close;
        default:
            return ArrowKind::unknown_close;
    }
}

const char* kind_class(ArrowKind k) {
    switch (k) {
        case ArrowKind::injected:
            return "injected";
        case ArrowKind::server_close:
            return "server-close";
        case ArrowKind::unknown_close:
            return "unknown-close";
        default:
            return "plain";
    }
}

// What the first payload bytes say, when they are a TLS handshake record or HTTP.
std::string payload_name(const PacketRecord& p) {
    if (p.payload_len == 0) return "";
    const auto& h = p.payload_head;
    if (h.size() >= 6 && h[0] == 0x16 && h[1] == 0x03) {
        if (h[5] == 0x01) return "ClientHello";
        if (h[5] == 0x02) return "ServerHello";
        return "TLS handshake";
    }
    if (h.size() >= 1 && h[0] == 0x15) return "TLS alert";
    if (h.size() >= 1 && h[0] == 0x17) return "TLS data";
    if (h.size() >= 4 && std::equal(h.begin(), h.begin() + 4, "HTTP")) return "HTTP response";
    if (h.size() >= 4 && std::equal(h.begin(), h.begin() + 4, "GET ")) return "HTTP GET";
    return "";
}

std::string arrow_label(const PacketRecord& p) {
    std::string label = flag_words(p.flags);
    if (p.payload_len > 0) {
        const std::string name = payload_name(p);
        label += fmt::format(" · {}{}{} B", name, name.empty() ? "" : " ", p.payload_len);
    }
    label += fmt::format(" · TTL {} · IP ID {}", p.ttl, p.ip_id);
    return label;
}

std::string hop_label(const Diagnosis& d) {
    if (!d.trace || !d.trace->middlebox_hop) return "";
    std::string label = fmt::format("hop {}", *d.trace->middlebox_hop);
    if (!d.trace->middlebox_router.empty()) label += " · " + d.trace->middlebox_router;
    return label;
}

void write_arrow(std::ostream& out, const LadderArrow& a, double y) {
    const double x1 = lane_x(a.from);
    const double x2 = lane_x(a.to);
    const double dir = x2 > x1 ? 1 : -1;
    const double tip = x2 - dir * 2;
    out << fmt::format("<g class=\"arrow {} {}\" data-packet=\"{}\" data-flags=\"{}\">",
                       kind_class(a.kind), a.to == LadderLane::server ? "outbound" : "inbound",
                       a.packet_index, html_escape(a.flags));
    std::string title = a.label;
    if (a.kind == ArrowKind::injected) title += "\ninjected on the path";
    if (a.kind == ArrowKind::server_close) title += "\nsent by the server";
    for (const auto& r : a.reasons) title += "\n" + r;
    out << "<title>" << html_escape(title) << "</title>";
    out << fmt::format("<text class=\"time\" x=\"8\" y=\"{:.1f}\">+{:.1f} ms</text>", y + 4,
                       a.t_ms);
    out << fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>", x1, y,
                       tip - dir * k_head_length, y);
    out << fmt::format("<polygon points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\"/>", tip, y,
                       tip - dir * k_head_length, y - 4.5, tip - dir * k_head_length, y + 4.5);
    // On paper there is no hover: the mark is part of the visible label too.
    const char* mark = a.kind == ArrowKind::injected       ? " · injected"
                       : a.kind == ArrowKind::server_close ? " · from the server"
                                                           : "";
    out << fmt::format("<text class=\"label\" x=\"{:.1f}\" y=\"{:.1f}\">{}{}</text>", (x1 + x2) / 2,
                       y - 5, html_escape(a.label), mark);
    out << "</g>\n";
}

void write_lane(std::ostream& out, double x, double bottom, const std::string& caption,
                const char* cls) {
    out << fmt::format(
        "<g class=\"lane {}\"><text class=\"lane-caption\" x=\"{:.1f}\" y=\"18\">{}</text>"
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/></g>\n",
        cls, x, html_escape(caption), x, k_header_height - 16, x, bottom);
}

}  // namespace

std::string flag_words(uint8_t flags) {
    static constexpr std::pair<uint8_t, const char*> k_words[] = {{tcp_flag::syn, "SYN"},
                                                                  {tcp_flag::fin, "FIN"},
                                                                  {tcp_flag::rst, "RST"},
                                                                  {tcp_flag::psh, "PSH"},
                                                                  {tcp_flag::ack, "ACK"}};
    std::string out;
    for (const auto& [bit, word] : k_words) {
        if ((flags & bit) == 0) continue;
        if (!out.empty()) out += ' ';
        out += word;
    }
    return out.empty() ? "none" : out;
}

Ladder build_ladder(const Diagnosis& d, const Trial& trial) {
    Ladder ladder;
    ladder.trial_id = trial.id;
    ladder.variant = trial.variant;
    ladder.packets_captured = trial.packets.size();
    ladder.hop_label = hop_label(d);
    const size_t n = std::min(trial.packets.size(), k_max_ladder_arrows);
    for (size_t i = 0; i < n; ++i) {
        const PacketRecord& p = trial.packets[i];
        const RstFinding* f = finding_for(d, trial.id, static_cast<int>(i));
        LadderArrow a;
        a.packet_index = static_cast<int>(i);
        a.kind = kind_of(f);
        a.t_ms = (p.t - trial.t0) * 1000;
        a.flags = flag_words(p.flags);
        a.label = arrow_label(p);
        if (f != nullptr) {
            a.reasons = f->reasons;
            const std::string sig = html_fields::signature(*f);
            if (!sig.empty() && sig != "unknown")
                a.reasons.insert(a.reasons.begin(), "signature " + sig);
        }
        if (p.direction == Direction::outbound) {
            a.from = LadderLane::client;
            a.to = LadderLane::server;
        } else {
            a.from = a.kind == ArrowKind::injected ? LadderLane::hop : LadderLane::server;
            a.to = LadderLane::client;
        }
        ladder.arrows.push_back(std::move(a));
    }
    const bool injected =
        std::any_of(ladder.arrows.begin(), ladder.arrows.end(),
                    [](const LadderArrow& a) { return a.kind == ArrowKind::injected; });
    if (ladder.hop_label.empty() && injected) ladder.hop_label = "on the path (hop not traced)";
    return ladder;
}

std::vector<const Trial*> representative_trials(const Diagnosis& d) {
    std::vector<const Trial*> out;
    for (const VariantStats& s : d.analysis.variants) {
        std::map<std::string, int> outcomes;
        for (const Trial& t : d.trials)
            if (t.variant == s.variant) ++outcomes[html_fields::failure(t)];
        if (outcomes.empty()) continue;
        const auto common =
            std::max_element(outcomes.begin(), outcomes.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; });
        const Trial* first = nullptr;
        const Trial* captured = nullptr;
        for (const Trial& t : d.trials) {
            if (t.variant != s.variant || html_fields::failure(t) != common->first) continue;
            if (first == nullptr) first = &t;
            if (captured == nullptr && !t.packets.empty()) captured = &t;
        }
        out.push_back(captured != nullptr ? captured : first);
    }
    return out;
}

void write_ladder_svg(std::ostream& out, const Ladder& ladder) {
    const double bottom = k_header_height +
                          static_cast<double>(ladder.arrows.size()) * k_row_height +
                          k_footer_height;
    out << fmt::format(
        "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {:.0f} {:.0f}\" "
        "role=\"img\" aria-label=\"packet ladder of trial {}\" data-trial-id=\"{}\" "
        "data-packets=\"{}\" data-arrows=\"{}\">\n",
        k_width, bottom, ladder.trial_id, ladder.trial_id, ladder.packets_captured,
        ladder.arrows.size());
    write_lane(out, k_client_x, bottom, "client", "client");
    if (!ladder.hop_label.empty()) write_lane(out, k_hop_x, bottom, ladder.hop_label, "hop");
    write_lane(out, k_server_x, bottom, "server", "server");
    double y = k_header_height + k_row_height * 0.6;
    for (const auto& a : ladder.arrows) {
        write_arrow(out, a, y);
        y += k_row_height;
    }
    out << "</svg>\n";
}

}  // namespace sniprobe
