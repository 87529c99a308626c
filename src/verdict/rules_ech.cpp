// The ECH rule: the same hello with and without a GREASE encrypted_client_hello extension,
// for the target name and for the control name, over TCP (sni / sni_ech, control_sni /
// control_ech) and QUIC (quic_sni / quic_sni_ech, quic_control / quic_control_ech). When
// the name passes without ECH and fails with it while the control name passes with ECH,
// the block needs the name and ECH together (ech_block: Russia's TSPU since November 2024).
// When the control name fails with ECH too, ECH itself is blocked (ech_protocol_block). A
// failure here is silence, a reset or a FIN: an alert is the server speaking, and resets
// that carry the server's own fingerprint are the server rejecting the extension, not the
// network; neither is blamed on the path.
#include <fmt/core.h>

#include <algorithm>

#include "verdict/rules.hpp"

namespace sniprobe::verdict {
namespace {

bool mostly_ok(const Tally& t) {
    return t.ran() && t.ok() * 5 >= t.trials * 4;
}

// Failures a box on the path causes: silence, a reset or a FIN.
int blocked(const Tally& t) {
    return t.count(Outcome::timeout) + t.count(Outcome::reset) + t.count(Outcome::eof);
}

// `with` (ECH) fails mostly, and significantly more often than `without` (no ECH).
bool ech_fails(const Tally& with, const Tally& without) {
    if (!with.ran() || !without.ran() || blocked(with) * 2 < with.trials) return false;
    return fisher_greater({blocked(with), with.trials, blocked(without), without.trials}) < k_alpha;
}

enum class Finding { none, name, every_name };

// One transport's four cells.
struct EchCells {
    const char* sni_name;
    const char* ech_name;
    const char* control_ech_name;
    const char* control_name;
    Tally sni, ech, control_ech, control;
    Finding finding = Finding::none;
};

Finding judge(const EchCells& c) {
    if (!mostly_ok(c.sni) || !ech_fails(c.ech, c.sni) || !c.control_ech.ran()) return Finding::none;
    if (mostly_ok(c.control_ech)) return Finding::name;
    if (mostly_ok(c.control) && ech_fails(c.control_ech, c.control)) return Finding::every_name;
    return Finding::none;
}

std::string cell(const char* name, const Tally& t) {
    return t.ok() == t.trials
               ? fmt::format("{} {} ok", name, ratio(t.ok(), t.trials))
               : fmt::format("{} {} ok ({})", name, ratio(t.ok(), t.trials), t.failure_list());
}

// The browser shapes carry GREASE ECH as browsers do: how they fared, when they ran.
std::string browser_note(const Facts& f) {
    std::string out;
    for (const auto& [name, t] : {std::pair{"sni_chrome", &f.chrome}, {"sni_firefox", &f.firefox}})
        if (t->ran()) out += fmt::format("{}{}", out.empty() ? "" : ", ", cell(name, *t));
    return out.empty() ? out : "; the browser-shaped hellos, which carry GREASE ECH too: " + out;
}

std::string where(const std::vector<const EchCells*>& cells) {
    return cells.size() == 2 ? "over TCP and QUIC"
                             : (cells.front()->sni_name[0] == 'q' ? "over QUIC" : "over TCP");
}

}  // namespace

std::optional<Verdict> rule_ech_block(const Facts& f) {
    const auto& trials = f.d.trials;
    // Without a hello that carried ECH (sni_ech, quic_sni_ech) neither transport can find
    // anything (judge() needs the ECH cell to have run): the usual case, decided before
    // the cells' tallies are copied.
    const bool quic_ech = std::any_of(trials.begin(), trials.end(), [](const Trial& t) {
        return t.variant == Variant::quic_sni_ech;
    });
    if (!f.ech.ran() && !quic_ech) return std::nullopt;
    EchCells tcp{"sni",    "sni_ech", "control_ech", "control_sni",
                 f.target, f.ech,     f.control_ech, f.control_sni};
    EchCells quic{"quic_sni",
                  "quic_sni_ech",
                  "quic_control_ech",
                  "quic_control",
                  tally(trials, {Variant::quic_sni}),
                  tally(trials, {Variant::quic_sni_ech}),
                  tally(trials, {Variant::quic_control_ech}),
                  tally(trials, {Variant::quic_control})};
    // Resets and FINs with the server's fingerprint on the ECH hellos: the server itself
    // chokes on the extension.
    const Forensics fr = forensics_for(f.d, {Variant::sni_ech, Variant::control_ech});
    const int server = fr.rst.server + fr.fin.server;
    const int injected = fr.rst.injected + fr.fin.injected;
    tcp.finding = server > 0 && server >= injected ? Finding::none : judge(tcp);
    quic.finding = judge(quic);

    std::vector<const EchCells*> named, every;
    for (const EchCells* c : {&tcp, &quic}) {
        if (c->finding == Finding::name) named.push_back(c);
        if (c->finding == Finding::every_name) every.push_back(c);
    }
    if (named.empty() && every.empty()) return std::nullopt;

    Verdict v;
    if (!named.empty()) {
        v.cause = Cause::ech_block;
        bool all_failed = true;
        for (const EchCells* c : named) all_failed = all_failed && c->ech.ok() == 0;
        v.confidence = (all_failed ? 0.85 : 0.75) + (named.size() == 2 ? 0.1 : 0.0);
        v.summary = fmt::format(
            "Hellos naming {} with an ECH extension are dropped {}, while the same hellos "
            "without ECH pass and the control name with ECH passes: the network blocks ECH "
            "for this name.",
            f.name, where(named));
        for (const EchCells* c : named) {
            std::string line =
                fmt::format("{} while {}", cell(c->ech_name, c->ech), cell(c->sni_name, c->sni));
            if (c == &tcp) line += browser_note(f);
            v.evidence.push_back(cite(evidence::ech_dropped, line));
        }
        for (const EchCells* c : named)
            v.evidence.push_back(
                cite(evidence::ech_control_ok, cell(c->control_ech_name, c->control_ech)));
        v.advice.push_back(fmt::format(
            "Browsers send an ECH extension (real ECH, or GREASE ECH when the site publishes "
            "none), so they fail or hang on {} while curl and other clients without ECH work.",
            f.name));
        v.advice.push_back(
            "The filter matches the name and ECH together (Russia's TSPU drops hellos that "
            "carry both since November 2024, e.g. for cloudflare-ech.com): it is on the path, "
            "not the server. Turning ECH (and its GREASE) off in the browser avoids it, at the "
            "cost of the name travelling in clear.");
        return v;
    }
    v.cause = Cause::ech_protocol_block;
    v.confidence = 0.7;
    v.summary = fmt::format(
        "Hellos with an ECH extension are dropped {} whatever the name (the control name too), "
        "while the same hellos without ECH pass: ECH itself is blocked on the way to {}.",
        where(every), f.name);
    for (const EchCells* c : every)
        v.evidence.push_back(
            cite(evidence::ech_all_dropped,
                 fmt::format("{}, {} while {}, {}", cell(c->ech_name, c->ech),
                             cell(c->control_ech_name, c->control_ech), cell(c->sni_name, c->sni),
                             cell(c->control_name, c->control))));
    v.advice.push_back(
        "Browsers send an ECH extension (real or GREASE) to every site, so they fail or hang "
        "behind this path while clients without ECH work.");
    v.advice.push_back(
        "A server or load balancer that silently drops hellos with an unknown extension "
        "looks the same from here: probe another server from this network, or this server "
        "from another network, to tell the two apart.");
    return v;
}

}  // namespace sniprobe::verdict
