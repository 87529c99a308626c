// write_html(): one document, sections in the order a reader needs them (verdict first).
// The rule that keeps it safe is simple: every string from the model goes through esc()
// (html_escape) before it reaches the output, whether it came from the network or not;
// only the fixed markup and numbers are written raw. Model fields are read through
// report/html_fields.hpp. Colours carry meaning only together with text, so the page
// also reads in black and white on paper.
#include "report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <ostream>

#include "report/html_fields.hpp"
#include "report/ladder_svg.hpp"
#include "verdict/evidence_ids.hpp"

namespace sniprobe {
namespace {

std::string esc(std::string_view s) {
    return html_escape(s);
}

constexpr const char* k_style = R"css(
:root { --ok: #1a7f37; --bad: #c62828; --warn: #a15c00; --muted: #5f6368; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       color: #1f2328; margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: .95rem; margin: 1rem 0 .3rem; }
code, .mono, td.num { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
header .target { color: var(--muted); }
.verdict { border-left: 6px solid var(--bad); background: #fdf3f2; padding: .7rem 1rem; margin: 1rem 0; }
.verdict.ok { border-color: var(--ok); background: #eef8f0; }
.verdict.inconclusive { border-color: var(--warn); background: #fdf6e8; }
.verdict .cause { font-weight: 700; font-size: 1.1rem; }
.verdict .summary { margin: .3rem 0; font-size: 1.05rem; }
.confidence svg { vertical-align: middle; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: #f6f8fa; }
td.num { text-align: right; white-space: nowrap; }
svg.ci { width: 13.1rem; height: 1rem; }
.ci .track { fill: #eef1f4; } .ci .band { fill: #8ab4f8; } .ci .rate { fill: #174ea6; }
.ci .tick { stroke: #b0b8c0; stroke-width: 1; }
dl.evidence dt { font-family: monospace; font-weight: 700; margin-top: .5rem; }
dl.evidence dd { margin: 0 0 0 1.5rem; }
dl.evidence dd.meaning { color: var(--muted); font-size: .9em; }
figure.trial { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure.trial figcaption { font-weight: 600; margin-bottom: .3rem; }
.side-by-side { display: flex; gap: 1rem; align-items: flex-start; }
.side-by-side svg.ladder { flex: 1 1 auto; min-width: 0; }
svg.ladder { width: 100%; height: auto; font: 12px sans-serif; }
svg.ladder .lane line { stroke: #57606a; stroke-width: 1.5; }
svg.ladder .lane.hop line { stroke: var(--bad); stroke-dasharray: 5 4; }
svg.ladder .lane-caption { text-anchor: middle; font-weight: 700; font-size: 12px; }
svg.ladder .lane.hop .lane-caption { fill: var(--bad); }
svg.ladder .arrow line { stroke: #24292f; stroke-width: 1.3; }
svg.ladder .arrow polygon { fill: #24292f; }
svg.ladder .arrow .label { text-anchor: middle; fill: #24292f; paint-order: stroke;
                           stroke: #fff; stroke-width: 4px; stroke-linejoin: round; }
svg.ladder .arrow .time { fill: var(--muted); font-family: monospace; }
svg.ladder .arrow.injected line { stroke: var(--bad); stroke-width: 2.5; }
svg.ladder .arrow.injected polygon, svg.ladder .arrow.injected .label { fill: var(--bad); font-weight: 700; }
svg.ladder .arrow.server-close line { stroke: var(--warn); stroke-width: 2.5; }
svg.ladder .arrow.server-close polygon, svg.ladder .arrow.server-close .label { fill: var(--warn); font-weight: 700; }
svg.ladder .arrow.unknown-close line { stroke-dasharray: 4 3; }
.legend span { margin-right: 1rem; }
.legend .injected { color: var(--bad); font-weight: 700; }
.legend .server-close { color: var(--warn); font-weight: 700; }
ul.reasons { margin: .2rem 0 0; font-size: .85em; }
ul.reasons .injected { color: var(--bad); font-weight: 600; }
ul.reasons .server-close { color: var(--warn); font-weight: 600; }
.sink-view { flex: 0 0 14rem; border: 1px solid var(--line); padding: .5rem .7rem; font-size: .9em; }
.sink-view h3 { margin-top: 0; }
.sink-view ul { margin: 0; padding-left: 1rem; }
tr.middlebox td { background: #fdecea; font-weight: 700; }
tr.middlebox td.mark { color: var(--bad); }
ul.plain { padding-left: 1.2rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85em; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, .verdict, dl.evidence dt, dl.evidence dd { break-inside: avoid; page-break-inside: avoid; }
  .sink-view { flex-basis: 11rem; }
  svg.ci { width: 8rem; }
  .screen-only { display: none; }
}
)css";

// A horizontal bar over [0, 100%]: the interval as a band, the rate as a dot.
std::string interval_bar(const VariantStats& s) {
    constexpr double k_w = 200;
    const double lo = std::clamp(s.ci95.low, 0.0, 1.0) * k_w;
    const double hi = std::clamp(s.ci95.high, 0.0, 1.0) * k_w;
    const double rate = std::clamp(s.rate, 0.0, 1.0) * k_w;
    return fmt::format(
        "<svg class=\"ci\" viewBox=\"-5 0 {8:.0f} 16\" preserveAspectRatio=\"none\" role=\"img\" "
        "aria-label=\"95% interval {1:.0f}% to {2:.0f}%\" data-low=\"{5:.4f}\" "
        "data-high=\"{6:.4f}\">"
        "<title>95% interval {1:.0f}% to {2:.0f}%</title>"
        "<rect class=\"track\" x=\"0\" y=\"4\" width=\"{0:.0f}\" height=\"8\"/>"
        "<line class=\"tick\" x1=\"100\" y1=\"2\" x2=\"100\" y2=\"14\"/>"
        "<rect class=\"band\" x=\"{3:.1f}\" y=\"4\" width=\"{4:.1f}\" height=\"8\"/>"
        "<circle class=\"rate\" cx=\"{7:.1f}\" cy=\"8\" r=\"3.5\"/></svg>",
        k_w, s.ci95.low * 100, s.ci95.high * 100, lo, std::max(hi - lo, 1.0), s.ci95.low,
        s.ci95.high, rate, k_w + 10);
}

std::string confidence_bar(double confidence) {
    const double w = std::clamp(confidence, 0.0, 1.0) * 120;
    return fmt::format(
        "<svg viewBox=\"0 0 120 10\" width=\"120\" height=\"10\" aria-hidden=\"true\">"
        "<rect x=\"0\" y=\"0\" width=\"120\" height=\"10\" fill=\"#e4e7eb\"/>"
        "<rect x=\"0\" y=\"0\" width=\"{:.1f}\" height=\"10\" fill=\"#57606a\"/></svg>",
        w);
}

const char* meaning_of(const std::string& id) {
    for (const auto& e : k_all_evidence_ids)
        if (id == e.id) return e.meaning;
    return nullptr;
}

void write_head(std::ostream& out, const Diagnosis& d) {
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; img-src data:\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        << "<title>sniprobe: " << esc(d.target.host) << " — " << esc(html_fields::cause(d.verdict))
        << "</title>\n<style>" << k_style << "</style>\n</head>\n<body>\n";
}

void write_header(std::ostream& out, const Diagnosis& d) {
    std::string addresses;
    for (const auto& a : d.resolution.addresses) {
        if (!addresses.empty()) addresses += ", ";
        addresses += a.address + " (" + a.source + ")";
    }
    out << "<header>\n<h1>sniprobe report: <span class=\"target-host\">" << esc(d.target.host)
        << "</span>:" << d.target.port << "</h1>\n<p class=\"target\">server name <code>"
        << esc(d.target.sni.empty() ? "(none)" : d.target.sni) << "</code> · "
        << esc(addresses.empty() ? "no address" : addresses);
    if (!d.target.control_sni.empty())
        out << " · control name <code>" << esc(d.target.control_sni) << "</code>";
    out << "</p>\n</header>\n";
}

void write_verdict(std::ostream& out, const Verdict& v) {
    const char* cls = html_fields::is_ok(v)             ? "ok"
                      : html_fields::is_inconclusive(v) ? "inconclusive"
                                                        : "problem";
    const std::string sub = html_fields::subcode(v);
    const std::string cause = html_fields::cause(v) + (sub.empty() ? "" : "/" + sub);
    out << fmt::format(
        "<section id=\"verdict\" class=\"verdict {}\" data-cause=\"{}\" data-subcode=\"{}\" "
        "data-confidence=\"{:.4f}\">\n",
        cls, esc(html_fields::cause(v)), esc(sub), v.confidence);
    out << "<div><span class=\"cause\">" << esc(cause) << "</span> <span class=\"confidence\">"
        << confidence_bar(v.confidence) << fmt::format(" {:.0f}% confidence", v.confidence * 100)
        << "</span></div>\n<p class=\"summary\">" << esc(v.summary) << "</p>\n</section>\n";
}

void write_variants(std::ostream& out, const Diagnosis& d) {
    if (d.analysis.variants.empty()) return;
    out << "<section id=\"variants\">\n<h2>Variants</h2>\n<table>\n<thead><tr><th>variant</th>"
           "<th>ok/trials</th><th>rate</th><th>95% interval (0–100%)</th><th>failures</th></tr>"
           "</thead>\n<tbody>\n";
    for (const VariantStats& s : d.analysis.variants) {
        std::string failures;
        for (const auto& [failure, n] : s.failures)
            failures +=
                fmt::format("{}<code>{}</code> {}", failures.empty() ? "" : ", ", esc(failure), n);
        out << fmt::format(
            "<tr data-variant=\"{0}\"><td><code>{0}</code></td><td class=\"num\">{1}/{2}</td>"
            "<td class=\"num\">{3:.0f}%</td><td>{4} <span class=\"mono muted nowrap\">[{5:.0f}%, "
            "{6:.0f}%]</span></td><td>{7}</td></tr>\n",
            esc(variant_name(s.variant)), s.ok, s.trials, s.rate * 100, interval_bar(s),
            s.ci95.low * 100, s.ci95.high * 100, failures);
    }
    out << "</tbody>\n</table>\n</section>\n";
}

void write_evidence(std::ostream& out, const Verdict& v) {
    if (v.evidence.empty()) return;
    out << "<section id=\"evidence\">\n<h2>Evidence</h2>\n<dl class=\"evidence\">\n";
    for (const Evidence& e : v.evidence) {
        out << "<dt data-id=\"" << esc(e.id) << "\">" << esc(e.id) << "</dt>\n<dd class=\"text\">"
            << esc(e.text) << "</dd>\n";
        if (const char* meaning = meaning_of(e.id))
            out << "<dd class=\"meaning\">" << esc(meaning) << "</dd>\n";
        else
            out << "<dd class=\"meaning unknown\">an id this version of sniprobe does not know "
                   "(a newer report?)</dd>\n";
    }
    out << "</dl>\n</section>\n";
}

void write_list_section(std::ostream& out, const char* id, const char* title,
                        const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    out << "<section id=\"" << id << "\">\n<h2>" << title << "</h2>\n<ul class=\"plain\">\n";
    for (const auto& line : lines) out << "<li>" << esc(line) << "</li>\n";
    out << "</ul>\n</section>\n";
}

const SinkTrialFinding* sink_finding(const Diagnosis& d, int trial_id) {
    if (!d.sink) return nullptr;
    for (const auto& f : d.sink->trials)
        if (f.trial_id == trial_id) return &f;
    return nullptr;
}

const char* yes_no(bool b) {
    return b ? "yes" : "no";
}

void write_sink_view(std::ostream& out, const SinkTrialFinding& f) {
    out << "<aside class=\"sink-view\" data-finding=\"" << esc(html_fields::finding(f))
        << "\">\n<h3>What the server saw</h3>\n<ul>\n";
    out << "<li>SYN received: " << yes_no(f.syn_seen);
    if (f.syn_ttl) out << " (TTL " << *f.syn_ttl << ")";
    out << "</li>\n<li>ClientHello received: " << yes_no(f.client_hello_seen);
    if (!f.server_name.empty()) out << " (<code>" << esc(f.server_name) << "</code>)";
    out << "</li>\n<li>server answered: " << yes_no(f.server_answered) << "</li>\n"
        << "<li>server sent an RST: " << yes_no(f.server_sent_rst) << "</li>\n"
        << "<li>RSTs received: " << f.rst_received
        << ", not sent by the client: " << f.rst_not_sent_by_us << "</li>\n";
    if (!f.rst_ttls.empty()) {
        std::string ttls;
        for (int t : f.rst_ttls) ttls += (ttls.empty() ? "" : ", ") + std::to_string(t);
        out << "<li>their TTLs: " << ttls << "</li>\n";
    }
    out << "</ul>\n<p><b>" << esc(html_fields::finding(f))
        << "</b> <span class=\"muted\">(matched by " << esc(html_fields::matched_by(f))
        << ")</span></p>\n</aside>\n";
}

// The hover text of the resets and closes, printed: paper has no hover.
void write_reasons(std::ostream& out, const Ladder& ladder) {
    bool any = false;
    for (const LadderArrow& a : ladder.arrows) {
        if (a.kind == ArrowKind::plain) continue;
        if (!any) out << "<ul class=\"reasons\">\n";
        any = true;
        const char* who = a.kind == ArrowKind::injected       ? "injected"
                          : a.kind == ArrowKind::server_close ? "sent by the server"
                                                              : "origin unknown";
        const char* cls = a.kind == ArrowKind::injected       ? "injected"
                          : a.kind == ArrowKind::server_close ? "server-close"
                                                              : "unknown-close";
        out << fmt::format("<li><span class=\"{}\">{} at +{:.1f} ms: {}</span>", cls, esc(a.flags),
                           a.t_ms, who);
        for (const auto& r : a.reasons) out << " · " << esc(r);
        out << "</li>\n";
    }
    if (any) out << "</ul>\n";
}

void write_ladders(std::ostream& out, const Diagnosis& d) {
    const auto trials = representative_trials(d);
    if (trials.empty()) return;
    out << "<section id=\"packets\">\n<h2>Packets: one trial per variant</h2>\n"
           "<p class=\"legend\"><span>time since the trial started on the left<span "
           "class=\"screen-only\">; hover an arrow for details</span></span><span "
           "class=\"injected\">red: injected on the path</span>"
           "<span class=\"server-close\">amber: reset or close by the server</span></p>\n";
    for (const Trial* t : trials) {
        const std::string failure = html_fields::failure(*t);
        out << fmt::format("<figure class=\"trial\" data-trial-id=\"{}\" data-variant=\"{}\">\n",
                           t->id, esc(variant_name(t->variant)));
        out << "<figcaption><code>" << esc(variant_name(t->variant)) << "</code> · trial " << t->id
            << " · server name <code>" << esc(t->server_name.empty() ? "(none)" : t->server_name)
            << "</code> · " << (failure.empty() ? "ok" : esc(failure))
            << fmt::format(" · {:.0f} ms", (t->t - t->t0) * 1000) << "</figcaption>\n";
        const SinkTrialFinding* sink = sink_finding(d, t->id);
        if (t->packets.empty()) {
            out << "<p class=\"muted no-packets\">no packets captured for this trial</p>\n";
            if (sink != nullptr) write_sink_view(out, *sink);
            out << "</figure>\n";
            continue;
        }
        const Ladder ladder = build_ladder(d, *t);
        out << "<div class=\"side-by-side\">\n";
        write_ladder_svg(out, ladder);
        if (sink != nullptr) write_sink_view(out, *sink);
        out << "</div>\n";
        write_reasons(out, ladder);
        if (ladder.packets_captured > ladder.arrows.size())
            out << fmt::format("<p class=\"muted\">{} more packets not drawn</p>\n",
                               ladder.packets_captured - ladder.arrows.size());
        out << "</figure>\n";
    }
    out << "</section>\n";
}

void write_trace(std::ostream& out, const Diagnosis& d) {
    if (!d.trace) return;
    const TraceResult& t = *d.trace;
    out << "<section id=\"trace\">\n<h2>Trace</h2>\n";
    if (t.middlebox_hop) {
        const std::string placement = html_fields::placement(t);
        out << "<p>Interference starts at <b>hop " << *t.middlebox_hop << "</b>"
            << (t.middlebox_router.empty()
                    ? ""
                    : " (router <code>" + esc(t.middlebox_router) + "</code>)")
            << (placement.empty() ? "" : ", " + esc(placement)) << ".</p>\n";
    } else {
        out << "<p>The trace did not locate the interference.</p>\n";
    }
    out << "<table class=\"hops\">\n<thead><tr><th></th><th>TTL</th><th>router</th><th>target "
           "name</th><th>control name</th></tr></thead>\n<tbody>\n";
    for (const TraceHop& h : t.hops) {
        const bool marked = t.middlebox_hop && *t.middlebox_hop == h.ttl;
        out << fmt::format(
            "<tr{}><td class=\"mark\">{}</td><td class=\"num\">{}</td><td><code>{}</code></td>"
            "<td>{}</td><td>{}</td></tr>\n",
            marked ? " class=\"middlebox\"" : "", marked ? "▶ interferes" : "", h.ttl,
            esc(h.router.empty() ? "*" : h.router), esc(html_fields::hop_outcome(h)),
            esc(html_fields::hop_control_outcome(h)));
    }
    out << "</tbody>\n</table>\n</section>\n";
}

void write_sink_summary(std::ostream& out, const Diagnosis& d) {
    if (!d.sink) return;
    const SinkReport& s = *d.sink;
    out << "<section id=\"sink\">\n<h2>The server's side</h2>\n<p>Records from <code>" << esc(s.url)
        << "</code>: ";
    if (!s.failure.empty()) {
        out << "not fetched (" << esc(s.failure) << ").</p>\n</section>\n";
        return;
    }
    out << fmt::format(
        "{} connection records, {} trials matched, {} failed trials never reached "
        "the server.</p>\n",
        s.records, s.trials_matched, s.trials_unmatched);
    std::map<std::string, int> by_finding;
    for (const auto& f : s.trials) ++by_finding[html_fields::finding(f)];
    if (!by_finding.empty()) {
        out << "<ul class=\"plain\">\n";
        for (const auto& [finding, n] : by_finding)
            out << "<li><code>" << esc(finding) << "</code>: " << n << " trials</li>\n";
        out << "</ul>\n";
    }
    out << "</section>\n";
}

void write_server_facts(std::ostream& out, const Diagnosis& d) {
    const Trial* cert = nullptr;
    const Trial* http = nullptr;
    for (const Trial& t : d.trials) {
        if (cert == nullptr && t.certificate) cert = &t;
        if (http == nullptr && t.http_status) http = &t;
    }
    if (cert == nullptr && http == nullptr) return;
    out << "<section id=\"server\">\n<h2>What the server presented</h2>\n";
    if (cert != nullptr) {
        const CertificateCheck& c = *cert->certificate;
        out << "<h3>Certificate (trial " << cert->id << ")</h3>\n<p>"
            << (c.verified
                    ? "verified"
                    : "not verified: <code>" + esc(std::string(to_name(c.problem))) + "</code>");
        if (!c.openssl_message.empty()) out << " · " << esc(c.openssl_message);
        if (!c.leaf_not_after.empty()) out << " · valid until " << esc(c.leaf_not_after);
        out << "</p>\n<ol class=\"chain\">\n";
        for (const auto& subject : c.chain_subjects)
            out << "<li class=\"subject\"><code>" << esc(subject) << "</code></li>\n";
        out << "</ol>\n";
    }
    if (http != nullptr) {
        out << "<h3>Plain HTTP with the target Host (trial " << http->id << ")</h3>\n<p>status "
            << *http->http_status;
        if (!http->http_server_header.empty())
            out << " · Server <code>" << esc(http->http_server_header) << "</code>";
        if (!http->http_title.empty())
            out << " · title <q class=\"http-title\">" << esc(http->http_title) << "</q>";
        out << "</p>\n";
    }
    out << "</section>\n";
}

void write_residual(std::ostream& out, const Diagnosis& d) {
    if (!d.residual || d.residual->status == ResidualStatus::no_trigger) return;
    const ResidualReport& r = *d.residual;
    out << "<section id=\"residual\">\n<h2>Residual blocking</h2>\n<p><code>" << esc(r.control_name)
        << "</code> to " << esc(r.address) << ":" << r.port << ": " << esc(to_name(r.status));
    if (r.window_s) out << fmt::format(", answered again {:.1f} s after the trigger", *r.window_s);
    if (r.keyed_fields) out << fmt::format(", keyed on {} fields", *r.keyed_fields);
    out << "</p>\n";
    if (!r.scope.empty()) out << "<p class=\"muted\">" << esc(r.scope) << "</p>\n";
    out << "</section>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '\t':
            case '\n':
                out += c;
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                    out += "\xEF\xBF\xBD";  // U+FFFD
                else
                    out += c;
        }
    }
    return out;
}

void write_html(std::ostream& out, const Diagnosis& d) {
    write_head(out, d);
    write_header(out, d);
    write_verdict(out, d.verdict);
    write_variants(out, d);
    write_evidence(out, d.verdict);
    write_list_section(out, "advice", "Advice", d.verdict.advice);
    write_ladders(out, d);
    write_trace(out, d);
    write_sink_summary(out, d);
    write_server_facts(out, d);
    write_residual(out, d);
    write_list_section(out, "notes", "Notes", d.notes);
    write_list_section(out, "anomalies", "Anomalies", d.anomalies);
    out << fmt::format("<footer>sniprobe · {} trials · {:.1f} s · report schema {}</footer>\n",
                       d.trials.size(), d.duration_s, k_schema_version)
        << "</body>\n</html>\n";
}

Result<void> write_html_file(const std::string& path, const Diagnosis& d) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) return fail("cannot write " + path + ": " + std::strerror(errno));
    write_html(file, d);
    file.close();
    if (!file) return fail("cannot write " + path + ": " + std::strerror(errno));
    return {};
}

}  // namespace sniprobe
