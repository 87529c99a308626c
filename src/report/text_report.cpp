// write_text(): fixed-width columns so the table reads in any terminal; names and titles
// that came from the network are printed through printable_text() so a hostile server
// cannot inject escape sequences into the user's terminal.
#include "report/text_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>

namespace sniprobe {

std::string printable_text(const std::string& s) {
    std::string out = s;
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return out;
}

namespace {

constexpr const char* k_reset = "\x1b[0m";
constexpr const char* k_bold = "\x1b[1m";
constexpr const char* k_red = "\x1b[31m";
constexpr const char* k_green = "\x1b[32m";
constexpr const char* k_yellow = "\x1b[33m";
constexpr const char* k_dim = "\x1b[2m";

class Painter {
  public:
    explicit Painter(Colour colour) : m_on(colour == Colour::on) {}
    std::string operator()(const char* code, const std::string& text) const {
        return m_on ? std::string(code) + text + k_reset : text;
    }

  private:
    bool m_on;
};

// A stable enum name (model/names.hpp), "" when unset.
template <class Enum>
std::string_view name_or_empty(const std::optional<Enum>& value) {
    return value ? to_name(*value) : std::string_view{};
}

const char* cause_colour(Cause cause) {
    if (cause == Cause::ok) return k_green;
    if (cause == Cause::inconclusive) return k_yellow;
    return k_red;
}

std::string failures_text(const std::map<std::string, int>& failures) {
    std::string out;
    for (const auto& [failure, n] : failures) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {}", failure, n);
    }
    return out;
}

void write_target(std::ostream& out, const Diagnosis& d) {
    std::string addresses;
    for (const auto& a : d.resolution.addresses) {
        if (!addresses.empty()) addresses += ", ";
        addresses += fmt::format("{} ({})", a.address, a.source);
    }
    out << fmt::format("target   {}:{}  {}\n", printable_text(d.target.host), d.target.port,
                       addresses.empty() ? "no address" : addresses);
    if (!d.target.control_sni.empty())
        out << fmt::format("control  {}\n", printable_text(d.target.control_sni));
}

void write_table(std::ostream& out, const Diagnosis& d, const Painter& paint) {
    if (d.analysis.variants.empty()) return;
    // 18 columns hold every TCP variant's name; the QUIC follow-ups' names are longer.
    size_t width = 18;
    for (const VariantStats& s : d.analysis.variants)
        width = std::max(width, variant_name(s.variant).size());
    out << '\n'
        << paint(k_bold, fmt::format("{:<{}} {:>9} {:>5}  {:<12} {}", "variant", width, "ok/trials",
                                     "rate", "95% CI", "failures"))
        << '\n';
    for (const VariantStats& s : d.analysis.variants) {
        const std::string ci =
            fmt::format("[{:3.0f}%,{:4.0f}%]", s.ci95.low * 100, s.ci95.high * 100);
        std::string row = fmt::format("{:<{}} {:>9} {:>4.0f}%  {} {}", variant_name(s.variant),
                                      width, fmt::format("{}/{}", s.ok, s.trials), s.rate * 100,
                                      paint(k_dim, ci), failures_text(s.failures));
        while (!row.empty() && row.back() == ' ') row.pop_back();
        out << row << '\n';
    }
}

void write_rsts(std::ostream& out, const Diagnosis& d, const TextOptions& options,
                const Painter& paint) {
    const auto& rsts = d.analysis.rsts;
    if (rsts.empty()) return;
    out << '\n' << paint(k_bold, "resets and closes seen") << '\n';
    std::map<std::string, int> by_kind;
    for (const auto& f : rsts)
        ++by_kind[fmt::format("{} ({})", to_name(f.origin),
                              f.signature ? to_name(*f.signature) : "unknown")];
    for (const auto& [kind, n] : by_kind) out << fmt::format("  {:>3} x {}\n", n, kind);
    if (options.detail != Detail::full) return;
    for (const auto& f : rsts) {
        out << fmt::format(
            "  trial {} packet {}: {} ttl {}{} ip_id {} {} window {} seq {}{}\n", f.trial_id,
            f.packet_index, to_name(f.origin), f.ttl,
            f.server_synack_ttl ? fmt::format(" (SYN-ACK {})", *f.server_synack_ttl) : "", f.ip_id,
            name_or_empty(f.ip_id_pattern), f.window, name_or_empty(f.seq_relation),
            f.delay_ms ? fmt::format(" +{:.1f} ms", *f.delay_ms) : "");
        for (const auto& reason : f.reasons) out << "      " << printable_text(reason) << '\n';
    }
}

void write_trace(std::ostream& out, const Diagnosis& d, const Painter& paint) {
    if (!d.trace) return;
    const TraceResult& t = *d.trace;
    out << '\n' << paint(k_bold, "trace") << '\n';
    if (t.middlebox_hop)
        out << fmt::format("  interference at hop {}{}{}\n", *t.middlebox_hop,
                           t.middlebox_router.empty() ? "" : " (" + t.middlebox_router + ")",
                           t.placement.empty() ? "" : ", " + t.placement);
    for (const auto& h : t.hops)
        out << fmt::format(
            "  {:>2}  {:<16} {}{}\n", h.ttl, h.router.empty() ? "*" : h.router, h.outcome,
            h.control_outcome.empty() ? "" : "  (control: " + h.control_outcome + ")");
}

// One line for diagnose --residual (nothing when there was no trigger: the notes say so).
void write_residual(std::ostream& out, const Diagnosis& d, const Painter& paint) {
    if (!d.residual || d.residual->status == ResidualStatus::no_trigger) return;
    const ResidualReport& r = *d.residual;
    std::string line;
    if (r.status == ResidualStatus::cleared)
        line = fmt::format("blocked for {:.1f} s after the trigger (last failure at {:.1f} s)",
                           r.window_s.value_or(0), r.blocked_until_s.value_or(0));
    else if (r.status == ResidualStatus::still_blocked)
        line = fmt::format("still blocked at {:.0f} s (--residual-max-s)", r.max_s);
    else if (r.status == ResidualStatus::not_blocked)
        line = "not blocked after the trigger";
    else
        line = "measurement interrupted";
    if (r.keyed_fields) line += fmt::format(", keyed on {} fields", *r.keyed_fields);
    out << '\n' << paint(k_bold, "residual blocking") << '\n';
    out << fmt::format("  {} to {}:{}: {}\n", printable_text(r.control_name), r.address, r.port,
                       line);
}

// The passes of a back-off from a busy server, one line each.
void write_backoff(std::ostream& out, const Diagnosis& d, const Painter& paint) {
    if (!d.backoff) return;
    out << '\n' << paint(k_bold, "back-off (a busy server)") << '\n';
    for (size_t i = 0; i < d.backoff->passes.size(); ++i) {
        const BackoffPass& p = d.backoff->passes[i];
        out << fmt::format(
            "  {:>2} at once: {}/{} failed, controls {}/{} (up to {} within {:.0f} s){}\n",
            p.concurrency, p.failed, p.trials, p.control_failed, p.control_trials, p.burst,
            k_backoff_burst_window_s, static_cast<int>(i) == d.backoff->kept ? "  <- kept" : "");
    }
}

void write_list(std::ostream& out, const char* title, const std::vector<std::string>& lines,
                const Painter& paint) {
    if (lines.empty()) return;
    out << '\n' << paint(k_bold, title) << '\n';
    for (const auto& line : lines) out << "  - " << printable_text(line) << '\n';
}

}  // namespace

std::string verdict_line(const Verdict& v) {
    return fmt::format("{}{} ({:.0f}%): {}", to_name(v.cause),
                       v.subcode ? "/" + std::string(to_name(*v.subcode)) : "", v.confidence * 100,
                       printable_text(v.summary));
}

void write_text(std::ostream& out, const Diagnosis& d, const TextOptions& options) {
    const Painter paint(options.colour);
    out << paint(cause_colour(d.verdict.cause), verdict_line(d.verdict)) << "\n\n";
    write_target(out, d);
    write_table(out, d, paint);
    if (!d.verdict.evidence.empty()) {
        out << '\n' << paint(k_bold, "evidence") << '\n';
        for (const auto& e : d.verdict.evidence)
            out << fmt::format("  {:<26} {}\n", e.id, printable_text(e.text));
    }
    write_rsts(out, d, options, paint);
    write_trace(out, d, paint);
    write_residual(out, d, paint);
    write_backoff(out, d, paint);
    if (!d.families.empty()) {
        out << '\n' << paint(k_bold, "per address family") << '\n';
        for (const FamilyVerdict& f : d.families) {
            std::string addresses;
            for (const auto& a : f.addresses) addresses += (addresses.empty() ? "" : ", ") + a;
            out << fmt::format("  {} ({}, {} trials): ", f.family, addresses, f.trials)
                << paint(cause_colour(f.verdict.cause), verdict_line(f.verdict)) << '\n';
        }
    }
    write_list(out, "advice", d.verdict.advice, paint);
    write_list(out, "notes", d.notes, paint);
    write_list(out, "anomalies", d.anomalies, paint);
}

}  // namespace sniprobe
