// The remaining outcomes: plain-HTTP Host blocking (judged against the control Host on
// the same address; without one, known block-page markers alone, kept modest), DNS disagreement
// when it is the only thing wrong, "ok", and the honest fallback "inconclusive" that says what was
// seen. Also the small helpers every rule shares (cite, the --ip/DNS comparison, block-page
// markers).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "analysis/wilson.hpp"
#include "verdict/rules.hpp"

namespace sniprobe::verdict {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool mostly_ok(const Tally& t) {
    return t.ran() && t.ok() * 5 >= t.trials * 4;
}

}  // namespace

Evidence cite(const EvidenceId& id, std::string text) {
    return Evidence{id.id, std::move(text)};
}

bool cites(const Verdict& v, const EvidenceId& id) {
    return std::any_of(v.evidence.begin(), v.evidence.end(),
                       [&](const Evidence& e) { return e.id == id.id; });
}

std::optional<std::string> dns_disagreement(const Facts& f) {
    const auto& forced = f.d.target.forced_ip;
    if (!forced) return std::nullopt;
    const auto& dns = f.d.resolution.dns_addresses;
    if (!f.d.resolution.failure.empty() && dns.empty())
        return fmt::format("DNS for {} failed ({}); probed --ip {}", f.d.target.host,
                           f.d.resolution.failure, *forced);
    if (dns.empty() || std::find(dns.begin(), dns.end(), *forced) != dns.end()) return std::nullopt;
    return fmt::format("--ip {} is not among the addresses DNS returns for {} ({})", *forced,
                       f.d.target.host, fmt::join(dns, ", "));
}

namespace {

bool block_page_markers(const Trial& t) {
    const std::string server = lower(t.http_server_header);
    const std::string title = lower(t.http_title);
    return server == "beaver" || title.find("icp") != std::string::npos ||
           title.find("non-compliance") != std::string::npos;
}

std::string answer_text(const Trial& t) {
    return fmt::format("HTTP {} with Server: '{}', title '{}'", *t.http_status,
                       t.http_server_header, t.http_title);
}

// The Server header most of the control Host's answers carry, and one such answer.
struct ControlAnswer {
    std::string server;  // lower case
    const Trial* example = nullptr;
    int answers = 0, with_server = 0;
};

std::optional<ControlAnswer> control_answer(const Facts& f) {
    if (!mostly_ok(f.http_control)) return std::nullopt;
    std::map<std::string, std::pair<int, const Trial*>> servers;
    ControlAnswer c;
    for (const Trial& t : f.d.trials) {
        if (t.variant != Variant::control_http || !t.http_status) continue;
        ++c.answers;
        auto& [n, example] = servers[lower(t.http_server_header)];
        if (++n == 1) example = &t;
    }
    for (const auto& [server, seen] : servers)
        if (seen.first > c.with_server) {
            c.server = server;
            c.with_server = seen.first;
            c.example = seen.second;
        }
    if (!c.example) return std::nullopt;
    return c;
}

std::optional<HttpSign> page_sign(const Facts& f, const std::optional<ControlAnswer>& control) {
    int answers = 0, foreign = 0, marked = 0;
    const Trial *first_foreign = nullptr, *first_marked = nullptr;
    for (const Trial& t : f.d.trials) {
        if (t.variant != Variant::http_host || !t.http_status) continue;
        ++answers;
        if (block_page_markers(t)) {
            ++marked;
            if (!first_marked) first_marked = &t;
        }
        if (control && lower(t.http_server_header) != control->server) {
            ++foreign;
            if (!first_foreign) first_foreign = &t;
        }
    }
    if (answers == 0) return std::nullopt;
    HttpSign s;
    s.page = true;
    if (control) {
        // The origin's software answers the control Host; another one answers the target
        // Host in most of its answers: a page the origin did not send.
        if (foreign * 2 <= answers) return std::nullopt;
        s.sign = cite(
            evidence::http_blockpage,
            fmt::format("{} for Host: {} in {} answers{}", answer_text(*first_foreign), f.name,
                        ratio(foreign, answers),
                        block_page_markers(*first_foreign) ? " (known block-page markers)" : ""));
        s.control = cite(evidence::http_control,
                         fmt::format("{} for the control Host {} ({} answered)",
                                     answer_text(*control->example), control->example->server_name,
                                     ratio(control->answers, f.http_control.trials)));
        return s;
    }
    if (!first_marked) return std::nullopt;
    s.sign = cite(evidence::http_blockpage,
                  fmt::format("{} (known block-page markers; {})", answer_text(*first_marked),
                              f.http_control.ran() ? "the control Host got no answer to compare"
                                                   : "no control Host ran"));
    return s;
}

std::optional<HttpSign> reset_sign(const Facts& f) {
    const int resets = f.http.count(Outcome::reset);
    if (resets == 0 || resets * 2 < f.http.trials) return std::nullopt;
    const Forensics fr = forensics_for(f.d, {Variant::http_host});
    if (fr.rst.server > 0 && fr.rst.server >= fr.rst.injected) return std::nullopt;
    HttpSign s;
    s.sign = cite(evidence::http_host_reset,
                  fmt::format("http_host {} reset", ratio(resets, f.http.trials)));
    if (f.http_control.ran()) {
        // Resets the control Host gets as well are the port's or the address's.
        if (differential_p(f.http, f.http_control, Outcome::reset) >= k_alpha) return std::nullopt;
        s.control =
            cite(evidence::http_control,
                 fmt::format("control_http {} reset, {} answered",
                             ratio(f.http_control.count(Outcome::reset), f.http_control.trials),
                             ratio(f.http_control.reached, f.http_control.trials)));
    }
    return s;
}

}  // namespace

std::optional<HttpSign> http_sign(const Facts& f) {
    if (!f.http.ran()) return std::nullopt;
    const auto control = control_answer(f);
    if (auto page = page_sign(f, control)) return page;
    return reset_sign(f);
}

std::optional<Evidence> http_block_sign(const Facts& f) {
    auto s = http_sign(f);
    if (!s) return std::nullopt;
    return s->sign;
}

std::optional<Verdict> rule_http_host_block(const Facts& f) {
    if (!mostly_ok(f.target)) return std::nullopt;
    auto found = http_sign(f);
    if (!found) return std::nullopt;
    const bool page = found->page;
    const bool differential = found->control.has_value();
    Verdict v;
    v.cause = Cause::http_host_block;
    v.confidence = (page ? 0.7 : 0.6) + (differential ? 0.1 : 0.0);
    v.summary =
        fmt::format("TLS with {} works, but plain HTTP with Host: {} is {}.", f.name, f.name,
                    page ? "answered with a page the origin did not send" : "reset");
    v.evidence.push_back(
        cite(evidence::target_ok, fmt::format("sni {} ok", ratio(f.target.ok(), f.target.trials))));
    v.evidence.push_back(found->sign);
    if (found->control) v.evidence.push_back(*found->control);
    v.advice.push_back(
        "Check the server's access log: a request that never appears there was "
        "answered by something on the way.");
    v.advice.push_back(
        fmt::format("If the server is in mainland China, check that {} has an ICP "
                    "filing with the hosting provider.",
                    f.name));
    v.advice.push_back(
        "Redirecting HTTP to HTTPS does not help when the HTTP request is "
        "intercepted; HTTPS itself works.");
    return v;
}

std::optional<Verdict> rule_ok(const Facts& f) {
    if (!mostly_ok(f.target)) return std::nullopt;
    for (Outcome o : {Outcome::reset, Outcome::timeout, Outcome::eof})
        if (f.controls.ran() && f.target.count(o) > 0 &&
            differential_p(f.target, f.controls, o) < k_alpha)
            return std::nullopt;
    Verdict v;
    v.cause = Cause::ok;
    const int failed = f.target.trials - f.target.ok();
    v.confidence = failed == 0 ? 0.95 : 0.8;
    const Interval ci =
        f.evidence_text ? wilson_interval(f.target.ok(), f.target.trials) : Interval{};
    // The verdict of nearly every scanned target: its summary appended, not formatted.
    const std::string target_ratio = ratio(f.target.ok(), f.target.trials);
    v.summary.reserve(f.name.size() + target_ratio.size() + 40);
    v.summary += "TLS handshakes naming ";
    v.summary += f.name;
    v.summary += " work (";
    v.summary += target_ratio;
    v.summary += " ok).";
    v.evidence.push_back(
        cite(evidence::target_ok, f.evidence_text
                                      ? fmt::format("sni {} ok, 95% CI {:.0f}-{:.0f}%",
                                                    target_ratio, ci.low * 100, ci.high * 100)
                                      : std::string()));
    if (failed > 0) {
        v.evidence.push_back(cite(evidence::sporadic_failures,
                                  fmt::format("sni: {}; not significantly more than the controls",
                                              f.target.failure_list())));
        v.advice.push_back(
            "A few failures cannot be told from chance: re-run with more trials if "
            "users report intermittent resets (interference can be probabilistic).");
    }
    return v;
}

std::optional<Verdict> rule_dns_only(const Facts& f) {
    auto line = dns_disagreement(f);
    if (!line) return std::nullopt;
    auto ok = rule_ok(f);
    if (!ok) return std::nullopt;
    Verdict v = *ok;
    v.cause = Cause::dns;
    v.confidence = 0.6;
    v.summary = fmt::format("{} works at {}, but DNS does not lead clients there.", f.name,
                            *f.d.target.forced_ip);
    v.evidence.insert(v.evidence.begin(), *dns_disagreement_evidence(f));
    v.advice.insert(v.advice.begin(),
                    "Point the name's A/AAAA records at this server (or drop --ip if "
                    "the difference is intended, e.g. a CDN).");
    return v;
}

Verdict inconclusive(const Facts& f) {
    Verdict v;
    v.cause = Cause::inconclusive;
    v.confidence = 0.3;
    if (!f.all_tls.ran() && !f.http.ran()) {
        v.summary = "No probes ran, so there is nothing to judge.";
        return v;
    }
    std::string seen = fmt::format("sni {} ok ({})", ratio(f.target.ok(), f.target.trials),
                                   f.target.failure_list());
    if (f.controls.ran())
        seen += fmt::format("; controls {} ok ({})", ratio(f.controls.ok(), f.controls.trials),
                            f.controls.failure_list());
    v.summary = fmt::format("No pattern the evidence can pin down: {}.", seen);
    if (!f.controls.ran())
        v.evidence.push_back(cite(evidence::no_controls,
                                  "no_sni and control_sni did not run; name-based interference "
                                  "cannot be told from a server problem"));
    v.advice.push_back("Re-run with more trials and with the control variants.");
    if (!f.any_captured)
        v.advice.push_back(
            "Run as root (or with CAP_NET_RAW) so packet forensics can say who sent "
            "the resets.");
    return v;
}

}  // namespace sniprobe::verdict
