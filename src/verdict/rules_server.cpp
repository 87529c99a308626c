// Rules that put the cause on the server's side: RSTs or FINs carrying the server's own
// fingerprint (even when only the target name gets them: a host firewall, proxy or WAF
// filtering by SNI is still the server's side), every variant reset alike, a TLS alert
// for the name, or a certificate that fails verification. The quirk: a bad chain makes
// full_verify "fail the handshake", yet the handshake itself worked; that is
// `certificate`, never interference.
#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "verdict/rules.hpp"

namespace sniprobe::verdict {
namespace {

std::vector<std::string> server_side_advice(const Facts& f) {
    return {
        fmt::format("Look at the server side for {}: nginx/OpenResty ssl settings for that "
                    "server_name, a host firewall rule (REJECT --reject-with tcp-reset), a WAF, "
                    "proxy or load balancer in front of it.",
                    f.name),
        "Read the server's error log at the probe's time (`sniprobe logs FILE`).",
        "Capture on the server (`sniprobe sink`) to see whether the ClientHello arrives and who "
        "answers it.",
    };
}

const char* alert_advice(const std::string& alert) {
    if (alert == "unrecognized_name")
        return "The server has no configuration for this name: add it to server_name in a server "
               "block with a certificate, or check ssl_reject_handshake on the default server.";
    if (alert == "handshake_failure")
        return "No common cipher, group or signature algorithm: compare the server's ssl_protocols "
               "and ssl_ciphers with what clients offer.";
    if (alert == "protocol_version")
        return "The server refuses the offered TLS versions: enable TLSv1.2 and TLSv1.3.";
    return "Check the server's error log at the probe's time for why it aborted the handshake.";
}

const char* certificate_advice(CertProblem subcode) {
    if (subcode == CertProblem::chain_incomplete)
        return "Serve the full chain: ssl_certificate must hold the leaf followed by the "
               "intermediates (fullchain.pem, not cert.pem). Browsers may hide this by caching "
               "intermediates; curl, apps and many phones do not.";
    if (subcode == CertProblem::expired)
        return "Renew the certificate, check the renewal job and that the server was reloaded "
               "after renewal (a 'not yet valid' certificate points at a wrong clock).";
    if (subcode == CertProblem::name_mismatch)
        return "The certificate does not list the name in subjectAltName: issue one that does, or "
               "check that server_name selects the right server block.";
    if (subcode == CertProblem::self_signed)
        return "Replace the self-signed certificate with one from a public CA (e.g. ACME/Let's "
               "Encrypt).";
    return "The chain does not end at a trusted root: use a publicly trusted CA, or pass "
           "--ca-file for a private CA.";
}

struct Mapped {
    CertProblem subcode;
    const EvidenceId* id;
};

Mapped map_problem(CertProblem problem) {
    if (problem == CertProblem::expired || problem == CertProblem::not_yet_valid)
        return {CertProblem::expired, &evidence::cert_expired};
    if (problem == CertProblem::name_mismatch)
        return {CertProblem::name_mismatch, &evidence::cert_name_mismatch};
    if (problem == CertProblem::chain_incomplete)
        return {CertProblem::chain_incomplete, &evidence::cert_chain_incomplete};
    if (problem == CertProblem::self_signed)
        return {CertProblem::self_signed, &evidence::cert_self_signed};
    return {CertProblem::untrusted, &evidence::cert_untrusted};
}

CertProblem problem_of(const Trial& t) {
    if (t.certificate)
        return t.certificate->problem == CertProblem::none ? CertProblem::other
                                                           : t.certificate->problem;
    if (t.failure == FailureCode::ssl_invalid_hostname) return CertProblem::name_mismatch;
    return CertProblem::untrusted;
}

}  // namespace

std::optional<CertificateProblem> certificate_problem(const Facts& f) {
    // Prefer the verifying variant; fall back to any completed handshake that was checked.
    const bool verify_ran = std::any_of(f.d.trials.begin(), f.d.trials.end(), [](const Trial& t) {
        return t.variant == Variant::full_verify &&
               (t.certificate || classify(t) == Outcome::certificate);
    });
    CertificateProblem result;
    std::map<CertProblem, int> problems;  // ties go to the first name alphabetically
    const Trial* example = nullptr;
    for (const Trial& t : f.d.trials) {
        if (verify_ran && t.variant != Variant::full_verify) continue;
        const bool failed_check =
            classify(t) == Outcome::certificate || (t.certificate && !t.certificate->verified);
        if (!t.certificate && !failed_check) continue;
        ++result.checked;
        if (!failed_check) continue;
        ++result.failing;
        ++problems[problem_of(t)];
        if (!example) example = &t;
    }
    if (result.failing == 0 || result.failing * 2 <= result.checked) return std::nullopt;
    auto top = std::max_element(problems.begin(), problems.end(),
                                [](const auto& a, const auto& b) { return a.second < b.second; });
    Mapped mapped = map_problem(top->first);
    result.subcode = mapped.subcode;
    result.id = mapped.id;
    result.detail = fmt::format("{} of {} verified handshakes failed the check ({})",
                                result.failing, result.checked, to_name(top->first));
    if (example && example->certificate) {
        const CertificateCheck& c = *example->certificate;
        if (!c.openssl_message.empty())
            result.detail += fmt::format("; OpenSSL: {}", c.openssl_message);
        if (!c.chain_subjects.empty())
            result.detail += fmt::format("; the server sent {} certificate(s), leaf {}",
                                         c.chain_subjects.size(), c.chain_subjects.front());
        if (result.subcode == CertProblem::expired && !c.leaf_not_after.empty())
            result.detail += fmt::format("; notAfter {}", c.leaf_not_after);
    }
    return result;
}

std::optional<Verdict> rule_server_origin(const Facts& f) {
    const Forensics& fr = f.target_forensics;
    const int resets = f.target.count(Outcome::reset);
    const int eofs = f.target.count(Outcome::eof);
    // Frequent enough to matter: a fifth of the target trials, or fewer when they still
    // differ from the controls significantly (a rate rule must never turn the server's own
    // resets into sni_reset just because they are rare).
    auto matters = [&](int failures, Outcome o) {
        return failures * 5 >= f.target.trials ||
               (f.controls.ran() && differential_p(f.target, f.controls, o) < k_alpha);
    };
    const bool rst_server =
        fr.rst.server > 0 && fr.rst.server >= fr.rst.injected && matters(resets, Outcome::reset);
    const bool fin_server =
        fr.fin.server > 0 && fr.fin.server >= fr.fin.injected && matters(eofs, Outcome::eof);
    if (!rst_server && !fin_server) return std::nullopt;

    const OriginCount& origin = rst_server ? fr.rst : fr.fin;
    const Outcome o = rst_server ? Outcome::reset : Outcome::eof;
    const bool name_dependent =
        f.controls.ran() && differential_p(f.target, f.controls, o) < k_alpha;
    Verdict v;
    v.cause = Cause::server_reset;
    v.confidence = origin.server == origin.total() ? 0.9 : 0.7;
    v.summary = fmt::format(
        "The server side itself {} handshakes naming {} ({}): the packets carry the server's own "
        "fingerprint, so no middlebox is to blame{}.",
        rst_server ? "resets" : "closes", f.name, ratio(f.target.count(o), f.target.trials),
        name_dependent
            ? "; only this name is affected, so look for a filter by SNI on the server's side"
            : "");
    v.evidence.push_back(cite(
        rst_server ? evidence::rst_server_fingerprint : evidence::fin_server_fingerprint,
        fmt::format("{} of {} analysed packets match the server's SYN-ACK (TTL, IP ID, window)",
                    origin.server, origin.total())));
    if (origin.injected > 0)
        v.evidence.push_back(injected_evidence(o, InjectedReading::outnumbered_by_server,
                                               origin.injected, origin.total()));
    if (name_dependent) v.evidence.push_back(name_dependence_evidence(f, o));
    v.advice = server_side_advice(f);
    return v;
}

// A server (or the load balancer in front of it) that breaks on ClientHellos spanning
// two TCP segments: small hellos work, the large one fails with the target name and the
// control name alike (so it is no name block), and the RSTs that end it are the server's
// (or, without capture, no one's proven). Browsers' post-quantum hellos are that large.
std::optional<Verdict> rule_server_large_hello(const Facts& f) {
    auto mostly_failed = [](const Tally& t) {
        return t.ran() && (t.count(Outcome::reset) + t.count(Outcome::timeout)) * 5 >= t.trials * 4;
    };
    auto mostly_ok = [](const Tally& t) { return t.ran() && t.ok() * 5 >= t.trials * 4; };
    if (!mostly_ok(f.target) || !mostly_failed(f.large) || !mostly_failed(f.control_large))
        return std::nullopt;
    if (f.controls.ran() && !mostly_ok(f.controls)) return std::nullopt;
    const Forensics fr = forensics_for(f.d, {Variant::sni_large, Variant::control_large});
    if (fr.rst.injected > 0 && fr.rst.injected >= fr.rst.server) return std::nullopt;
    Verdict v;
    v.cause = Cause::server_reset;
    v.confidence = fr.rst.server > 0 ? 0.85 : 0.6;
    v.summary = fmt::format(
        "The server (or a load balancer in front of it) breaks on ClientHellos that span two "
        "TCP segments, whatever the name (sni_large {} ok, control_large {} ok); small hellos "
        "naming {} work. Browsers with post-quantum key shares send such hellos.",
        ratio(f.large.ok(), f.large.trials), ratio(f.control_large.ok(), f.control_large.trials),
        f.name);
    v.evidence.push_back(
        cite(evidence::target_ok, fmt::format("sni {} ok", ratio(f.target.ok(), f.target.trials))));
    v.evidence.push_back(cite(
        evidence::server_large_hello,
        fmt::format("sni_large {} ({}), control_large {} ({})", ratio(f.large.ok(), f.large.trials),
                    f.large.failure_list(), ratio(f.control_large.ok(), f.control_large.trials),
                    f.control_large.failure_list())));
    if (fr.rst.server > 0)
        v.evidence.push_back(cite(evidence::rst_server_fingerprint,
                                  fmt::format("{} of {} analysed RSTs match the server's SYN-ACK",
                                              fr.rst.server, fr.rst.total())));
    v.advice.push_back(
        "This is the server side, not a network box: the control name fails the same way. "
        "Check the load balancer or TLS terminator for a limit on the first packet or "
        "record (it must read a ClientHello across TCP segments).");
    v.advice.push_back(
        "Reproduce with a large hello: openssl s_client -groups X25519MLKEM768 (OpenSSL 3.5+) "
        "or a current Chrome; a small one (openssl s_client -groups X25519) works.");
    return v;
}

std::optional<Verdict> rule_all_reset(const Facts& f) {
    if (!f.target.ran() || f.target.fraction(Outcome::reset) < 0.5) return std::nullopt;
    int controls_checked = 0;
    for (const Tally* t : {&f.no_sni, &f.control_sni}) {
        if (!t->ran()) continue;
        if (t->fraction(Outcome::reset) < 0.5) return std::nullopt;
        ++controls_checked;
    }
    if (controls_checked == 0) return std::nullopt;

    const Forensics fr = forensics_for(f.d, {Variant::sni, Variant::no_sni, Variant::control_sni});
    const std::string seen =
        fmt::format("sni {}, controls {} reset after TCP connected",
                    ratio(f.target.count(Outcome::reset), f.target.trials),
                    ratio(f.controls.count(Outcome::reset), f.controls.trials));
    Verdict v;
    v.evidence.push_back(cite(evidence::all_variants_reset, seen));
    if (fr.rst.injected > fr.rst.server) {
        // Not the server, not the name: an address-wide block, or residual blocking.
        v.cause = Cause::inconclusive;
        v.confidence = 0.5;
        v.summary = fmt::format(
            "Every handshake to this address is reset, named or not ({}), and the "
            "RSTs look injected: something on the path resets TLS to it.",
            seen);
        v.evidence.push_back(injected_evidence(Outcome::reset, InjectedReading::address_wide,
                                               fr.rst.injected, fr.rst.total()));
        v.advice.push_back(
            "Probe again after a few minutes with fewer trials: some boxes block the "
            "address and port for minutes after one trigger.");
        return v;
    }
    v.cause = Cause::server_reset;
    v.summary =
        fmt::format("The server resets every TLS handshake, with or without a name ({}).", seen);
    if (fr.rst.server > 0) {
        v.confidence = 0.92;
        v.evidence.push_back(cite(evidence::rst_server_fingerprint,
                                  fmt::format("{} of {} analysed RSTs match the server's SYN-ACK",
                                              fr.rst.server, fr.rst.total())));
    } else if (!f.any_captured) {
        v.confidence = 0.75;
        v.evidence.push_back(no_capture_evidence(LookAlike::address_block));
    } else {
        v.confidence = 0.8;
        v.evidence.push_back(origin_unknown_evidence(std::nullopt));
    }
    v.advice = server_side_advice(f);
    v.advice.push_back(
        "Check that the port speaks TLS at all (a plain-HTTP or other service on it "
        "resets or closes on a ClientHello).");
    return v;
}

std::optional<Verdict> rule_not_tls_answer(const Facts& f) {
    int plain = 0;
    for (const auto& t : f.d.trials) {
        if (t.variant != Variant::sni) continue;
        if (t.failure == FailureCode::ssl_failed_handshake && t.alert_received.empty() &&
            !t.server_hello_seen && t.first_byte_ms.has_value())
            ++plain;
    }
    if (plain == 0 || plain * 2 < f.target.trials) return std::nullopt;
    Verdict v;
    v.cause = Cause::tls_alert;
    v.confidence = plain == f.target.trials ? 0.9 : 0.75;
    v.summary = fmt::format(
        "The server at port {} answers the ClientHello in plain text, not TLS ({}): the port "
        "does not speak TLS, the network is not to blame.",
        f.d.target.port, ratio(plain, f.target.trials));
    v.evidence.push_back(cite(evidence::not_tls_answer,
                              fmt::format("sni: {} ClientHellos answered with non-TLS bytes",
                                          ratio(plain, f.target.trials))));
    v.advice.push_back(
        "Point the client at the server's TLS port, or enable TLS on this one (nginx: "
        "`listen PORT ssl`); a plain-HTTP server answers a ClientHello with a 400 page.");
    return v;
}

std::optional<Verdict> rule_tls_alert(const Facts& f) {
    const int alerts = f.target.count(Outcome::alert);
    if (alerts == 0 || alerts * 2 < f.target.trials) return std::nullopt;
    const std::string alert = f.target.top_alert();
    Verdict v;
    v.cause = Cause::tls_alert;
    v.confidence = alerts == f.target.trials ? 0.9 : 0.8;
    v.summary = fmt::format("The server answers handshakes naming {} with the TLS alert {} ({}).",
                            f.name, alert, ratio(alerts, f.target.trials));
    std::string line = fmt::format("sni: {} handshakes ended with alert {}",
                                   ratio(alerts, f.target.trials), alert);
    if (f.controls.ran())
        line += fmt::format("; controls: {} alerts, {} ok", f.controls.count(Outcome::alert),
                            f.controls.ok());
    v.evidence.push_back(cite(evidence::tls_alert, line));
    v.advice.push_back(alert_advice(alert));
    return v;
}

std::optional<Verdict> rule_certificate(const Facts& f) {
    auto problem = certificate_problem(f);
    if (!problem) return std::nullopt;
    Verdict v;
    v.cause = Cause::certificate;
    v.subcode = problem->subcode;
    v.confidence = problem->failing == problem->checked ? 0.95 : 0.8;
    v.summary = fmt::format(
        "The handshake with {} completes, but its certificate fails verification "
        "({}).",
        f.name, to_name(problem->subcode));
    v.evidence.push_back(cite(*problem->id, problem->detail));
    v.advice.push_back(certificate_advice(problem->subcode));
    return v;
}

}  // namespace sniprobe::verdict
