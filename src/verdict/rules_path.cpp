// Rules that blame the path: the name does not resolve, TCP cannot connect, or an
// on-path box reacts to the server name. Name interference is a *differential*
// finding: the target name fails (reset, timeout, FIN) significantly more often than
// no SNI and an unrelated SNI to the same address, judged by a one-sided Fisher test
// so 3 resets in 10 beside 0 in 20 counts and 1 in 10 does not. Without capture the
// same pattern could be the server's own SNI filter, so confidence is capped.
#include <fmt/core.h>

#include <algorithm>

#include "verdict/rules.hpp"

namespace sniprobe::verdict {
namespace {

struct Pattern {
    Outcome outcome;
    double p;
    bool forensic_only;  // not significant alone, but the capture shows an injection
};

double base_confidence(double p) {
    if (p < 0.001) return 0.9;
    if (p < 0.01) return 0.8;
    if (p < k_alpha) return 0.7;
    return 0.55;
}

std::optional<Pattern> strongest_pattern(const Facts& f) {
    std::optional<Pattern> best;
    for (Outcome o : {Outcome::reset, Outcome::timeout, Outcome::eof}) {
        if (f.target.count(o) == 0) continue;
        const double p = differential_p(f.target, f.controls, o);
        const OriginCount& origin =
            o == Outcome::eof ? f.target_forensics.fin : f.target_forensics.rst;
        const bool forensic_only = o != Outcome::timeout && origin.injected > 0 &&
                                   origin.server == 0 && f.controls.count(o) == 0;
        if (p >= k_alpha && !forensic_only) continue;
        if (!best || p < best->p) best = Pattern{o, p, p >= k_alpha};
    }
    return best;
}

std::string control_line(const Facts& f) {
    std::string out;
    if (f.no_sni.ran()) out += fmt::format("no_sni {} ", ratio(f.no_sni.reached, f.no_sni.trials));
    if (f.control_sni.ran()) {
        if (!out.empty()) out += "and ";
        out += fmt::format("control_sni ({}) {} ", f.d.target.control_sni,
                           ratio(f.control_sni.reached, f.control_sni.trials));
    }
    return out + "reached the server (ServerHello or alert): the path to the server is open";
}

}  // namespace

std::optional<Verdict> rule_dns_failure(const Facts& f) {
    if (!f.d.resolution.addresses.empty()) return std::nullopt;
    Verdict v;
    v.cause = Cause::dns;
    const std::string& failure = f.d.resolution.failure;
    v.confidence = failure.empty() ? 0.8 : 0.95;
    v.summary = fmt::format("{} does not resolve ({}), so nothing could be probed.",
                            f.d.target.host, failure.empty() ? "no addresses" : failure);
    v.evidence.push_back(dns_unresolved_evidence(f));
    v.advice.push_back(
        "Check the name's A/AAAA records at its authoritative servers (dig +trace).");
    v.advice.push_back("To test the server before DNS is fixed, pass its address with --ip.");
    return v;
}

// A path-MTU black hole: TCP connects, then the full-size handshake times out whatever
// the name (the controls too), while sni_mss — the same name with our MSS clamped, so
// the server's segments stay small — completes significantly more often. The server's
// flight is lost on the way back: a link with a smaller MTU whose ICMP "fragmentation
// needed" never reaches the server.
std::optional<Verdict> rule_path_mtu(const Facts& f) {
    const Tally& clamped = f.mss;
    if (!clamped.ran() || clamped.ok() * 5 < clamped.trials * 4) return std::nullopt;
    const int timeouts = f.target.count(Outcome::timeout);
    if (!f.target.ran() || timeouts * 2 < f.target.trials) return std::nullopt;
    if (differential_p(f.target, clamped, Outcome::timeout) >= k_alpha) return std::nullopt;
    // Name-based drops leave the controls working; a path MTU does not care for names.
    if (f.controls.ran() && f.controls.count(Outcome::timeout) * 2 < f.controls.trials)
        return std::nullopt;
    Verdict v;
    v.cause = Cause::path_mtu;
    v.confidence = f.controls.ran() ? 0.85 : 0.7;
    v.summary = fmt::format(
        "The server's full-size packets are lost on the way back: handshakes time out "
        "whatever the name, but complete when our MSS is clamped to {} bytes (a path-MTU "
        "black hole).",
        k_clamped_mss);
    v.evidence.push_back(cite(
        evidence::mss_clamp_works,
        fmt::format(
            "sni_mss {} ok with MSS {}; sni {} ok ({}){}", ratio(clamped.ok(), clamped.trials),
            k_clamped_mss, ratio(f.target.ok(), f.target.trials), f.target.failure_list(),
            f.controls.ran()
                ? fmt::format(", controls {} ok ({})", ratio(f.controls.ok(), f.controls.trials),
                              f.controls.failure_list())
                : std::string())));
    v.advice.push_back(
        "A link on the path carries smaller packets than the server sends, and the ICMP "
        "'fragmentation needed' (IPv4 type 3 code 4; IPv6 'packet too big', type 2) that "
        "would tell the server is filtered somewhere: let those ICMP messages through.");
    v.advice.push_back(
        "Clamp the TCP MSS where the small link starts (iptables -t mangle -A FORWARD -p tcp "
        "--tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu), or lower the server's MTU / "
        "advertised MSS.");
    v.advice.push_back(
        "Small exchanges (the SYN, our ClientHello) pass: only the server's large flight "
        "(ServerHello with the certificate) is lost, so this is not name-based blocking.");
    return v;
}

std::optional<Verdict> rule_tcp_unreachable(const Facts& f) {
    const Tally& all = f.all_tls;
    const int failed = all.count(Outcome::connect_failed);
    if (!all.ran() || all.reached > 0 || failed * 5 < all.trials * 4) return std::nullopt;
    Verdict v;
    v.cause = Cause::tcp_unreachable;
    v.confidence = failed == all.trials ? 0.9 : 0.75;
    const std::string where =
        f.d.resolution.addresses.size() == 1
            ? fmt::format("{} port {}", f.d.resolution.addresses.front().address, f.d.target.port)
            : fmt::format("port {} of {}", f.d.target.port, f.d.target.host);
    v.summary = fmt::format("TCP to {} fails whatever the name ({} of {} connects failed: {}).",
                            where, failed, all.trials, all.failure_list());
    v.evidence.push_back(
        cite(evidence::all_connect_failed, fmt::format("{} TLS trials, {} failed to connect ({})",
                                                       all.trials, failed, all.failure_list())));
    if (all.failure_codes.count(FailureCode::connection_refused))
        v.advice.push_back(
            "connection_refused: the host answered the SYN with a RST; is the server "
            "listening on that port, or does a firewall REJECT it?");
    if (all.failure_codes.count(FailureCode::generic_timeout_error))
        v.advice.push_back(
            "Timeouts: the SYN goes unanswered; check security groups / firewalls "
            "in front of the server and that the address is right.");
    v.advice.push_back("Probe from another network to tell a local block from a server outage.");
    v.advice.push_back(
        "If this name was probed in the last few minutes, some boxes keep blocking the "
        "address and port for minutes after one trigger: wait about 3 minutes and "
        "probe again with --concurrency 1.");
    return v;
}

std::optional<Verdict> rule_injected_without_controls(const Facts& f) {
    if (f.controls.ran() || !f.target.ran()) return std::nullopt;
    const int resets = f.target.count(Outcome::reset);
    const OriginCount& origin = f.target_forensics.rst;
    if (resets == 0 || resets * 2 < f.target.trials || origin.injected * 2 <= origin.total())
        return std::nullopt;
    Verdict v;
    v.cause = Cause::sni_reset;
    // Forensics alone: strong that the path reset it, silent on whether the name did.
    v.confidence = std::min(0.8, 0.55 + 0.05 * origin.injected);
    v.summary = fmt::format(
        "Handshakes naming {} are reset by an on-path device, not the server ({} reset); no "
        "other name to the same address was seen, so the name as the trigger is not proven.",
        f.name, ratio(resets, f.target.trials));
    v.evidence.push_back(injected_evidence(Outcome::reset, InjectedReading::most_of_target,
                                           origin.injected, origin.total()));
    v.evidence.push_back(cite(evidence::no_controls,
                              "no handshake with another name or without a name to the same "
                              "address: the differential is missing"));
    v.advice.push_back(fmt::format(
        "Run `sniprobe diagnose {}` from the affected network (or capture a handshake with "
        "another name to the same address) to prove the name is the trigger.",
        f.name));
    return v;
}

std::optional<Verdict> rule_name_interference(const Facts& f) {
    if (!f.target.ran() || !f.controls.ran() || f.controls.reached == 0) return std::nullopt;
    const auto pattern = strongest_pattern(f);
    if (!pattern) return std::nullopt;

    const Outcome o = pattern->outcome;
    const int failed = f.target.count(o);
    const int control_failed = f.controls.count(o);
    Verdict v;
    v.confidence = base_confidence(pattern->p);
    const std::string counts =
        fmt::format("sni {} {}; controls {} {}", ratio(failed, f.target.trials), outcome_name(o),
                    ratio(control_failed, f.controls.trials), outcome_name(o));
    const std::string stats =
        pattern->forensic_only
            ? fmt::format("{} (p = {:.2g}, not significant alone; see the packet evidence)", counts,
                          pattern->p)
            : fmt::format("{} (one-sided Fisher p = {:.2g})", counts, pattern->p);

    const OriginCount& origin = o == Outcome::eof ? f.target_forensics.fin : f.target_forensics.rst;
    const bool injected = origin.injected > 0;
    if (o == Outcome::reset) {
        v.cause = Cause::sni_reset;
        v.evidence.push_back(name_rate_evidence(o, stats));
        v.summary = fmt::format(
            "Handshakes naming {} are reset by {} ({}); the name, not the address, triggers it.",
            f.name,
            injected ? "an on-path device, not the server" : "something that reacts to the name",
            counts);
    } else if (o == Outcome::timeout) {
        v.cause = Cause::sni_drop;
        v.evidence.push_back(name_rate_evidence(o, stats));
        v.summary =
            fmt::format("Handshakes naming {} are black-holed ({}) while the controls get answers.",
                        f.name, counts);
        v.confidence = std::min(v.confidence, 0.8);
        v.advice.push_back(
            "From the client alone a firewall on the server's side that drops by name looks "
            "the same as a box on the path: run `sniprobe sink` beside the server and "
            "`diagnose --sink` to see whether the ClientHello arrives.");
    } else {
        v.cause = Cause::sni_close;
        v.evidence.push_back(name_rate_evidence(o, stats));
        v.summary =
            fmt::format("Handshakes naming {} are closed with a FIN the controls never get ({}).",
                        f.name, counts);
    }
    v.evidence.push_back(cite(evidence::control_ok, control_line(f)));

    // What the packets say about who sent the RST/FIN.
    if (o != Outcome::timeout) {
        if (injected) {
            v.confidence = std::min(0.99, v.confidence + 0.07);
            v.evidence.push_back(injected_evidence(o, InjectedReading::most_of_target,
                                                   origin.injected, origin.total()));
        } else if (!f.any_captured) {
            v.confidence = std::min(v.confidence, 0.75);
            v.evidence.push_back(no_capture_evidence(LookAlike::server_name_filter));
        } else {
            v.confidence = std::min(v.confidence, 0.85);
            v.evidence.push_back(origin_unknown_evidence(origin.total()));
        }
    }

    if (control_failed > 0) {
        v.confidence *= 0.9;
        if (auto residual = residual_pattern_evidence(f, o, control_failed))
            v.evidence.push_back(std::move(*residual));
        else
            v.evidence.push_back(cite(evidence::control_failures,
                                      fmt::format("controls: {}", f.controls.failure_list())));
    }

    v.advice.push_back(fmt::format(
        "The server name {} (SNI), not the address, triggers this: the same server answers "
        "without a name and with another name.",
        f.name));
    v.advice.push_back(fmt::format(
        "If the server is in mainland China, check that {} has an ICP filing with the hosting "
        "provider: providers block TLS for unfiled names by the SNI.",
        f.name));
    v.advice.push_back(
        "Encrypted Client Hello (ECH) hides the name from such boxes where clients "
        "and server support it.");
    v.advice.push_back(
        "Serving the name from outside that network (another region or provider, "
        "a CDN) avoids the box.");
    if (o == Outcome::reset && injected)
        v.advice.push_back(
            "The server's error log will blame the client ('peer closed connection "
            "in SSL handshake (104: Connection reset by peer)'): both ends got a "
            "reset neither sent; `sniprobe logs` reads that log.");
    return v;
}

}  // namespace sniprobe::verdict
