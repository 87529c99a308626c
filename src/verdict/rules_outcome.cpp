// The remaining outcomes: plain-HTTP Host blocking (kept modest: without a control Host
// a 403 could be the origin's own), DNS disagreement when it is the only thing wrong,
// "ok", and the honest fallback "inconclusive" that says what was seen. Also the small
// helpers every rule shares (cite, the --ip/DNS comparison, block-page markers).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

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

// A block-page or reset sign on the plain-HTTP Host probe, if any.
std::optional<Evidence> http_block_sign(const Facts& f) {
    if (!f.http.ran()) return std::nullopt;
    for (const Trial& t : f.d.trials) {
        if (t.variant != Variant::http_host || !t.http_status) continue;
        const std::string server = lower(t.http_server_header);
        const std::string title = lower(t.http_title);
        if (server == "beaver" || title.find("icp") != std::string::npos ||
            title.find("non-compliance") != std::string::npos)
            return cite(evidence::http_blockpage,
                        fmt::format("HTTP {} with Server: '{}', title '{}'", *t.http_status,
                                    t.http_server_header, t.http_title));
    }
    const int resets = f.http.count(Outcome::reset);
    if (resets > 0 && resets * 2 >= f.http.trials) {
        const Forensics fr = forensics_for(f.d, {Variant::http_host});
        if (fr.rst.server > 0 && fr.rst.server >= fr.rst.injected) return std::nullopt;
        return cite(evidence::http_host_reset,
                    fmt::format("http_host {} reset", ratio(resets, f.http.trials)));
    }
    return std::nullopt;
}

std::optional<Verdict> rule_http_host_block(const Facts& f) {
    if (!mostly_ok(f.target)) return std::nullopt;
    auto sign = http_block_sign(f);
    if (!sign) return std::nullopt;
    const bool page = sign->id == evidence::http_blockpage.id;
    Verdict v;
    v.cause = Cause::http_host_block;
    v.confidence = page ? 0.7 : 0.6;
    v.summary =
        fmt::format("TLS with {} works, but plain HTTP with Host: {} is {}.", f.name, f.name,
                    page ? "answered with a page the origin did not send" : "reset");
    v.evidence.push_back(
        cite(evidence::target_ok, fmt::format("sni {} ok", ratio(f.target.ok(), f.target.trials))));
    v.evidence.push_back(*sign);
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
    const Interval ci = wilson_interval(f.target.ok(), f.target.trials);
    Verdict v;
    v.cause = Cause::ok;
    const int failed = f.target.trials - f.target.ok();
    v.confidence = failed == 0 ? 0.95 : 0.8;
    v.summary = fmt::format("TLS handshakes naming {} work ({} ok).", f.name,
                            ratio(f.target.ok(), f.target.trials));
    v.evidence.push_back(
        cite(evidence::target_ok,
             fmt::format("sni {} ok, 95% CI {:.0f}-{:.0f}%", ratio(f.target.ok(), f.target.trials),
                         ci.low * 100, ci.high * 100)));
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
