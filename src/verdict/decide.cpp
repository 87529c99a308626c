// decide(): the rules of rules.hpp tried in order, the first match wins, then the
// supporting evidence. Read the table top to bottom: nothing resolved; TCP dead; the
// server's own packets; name-based interference; all variants reset alike; the name
// failing only with ECH; the server's alert; its certificate; plain HTTP only; QUIC; DNS
// only; fine. A server that answers
// in plain text, and injected resets without controls (a capture with one name), sit
// beside the rules they refine. Server-side causes that the
// packets prove come before the network is blamed.
#include "verdict/decide.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "analysis/analyze.hpp"
#include "verdict/rules.hpp"

namespace sniprobe {

Verdict decide(const Diagnosis& d, const DecideOptions& options) {
    using namespace verdict;
    static constexpr std::array<Rule, 17> k_rules{
        rule_dns_failure,        // no address: nothing else can be judged
        rule_tcp_unreachable,    // no TCP: names do not matter
        rule_path_mtu,           // full-size flights lost, MSS-clamped ones arrive
        rule_server_origin,      // RSTs/FINs with the server's fingerprint: never sni_*
        rule_not_tls_answer,     // the server answers in plain text: the port is not TLS
        rule_name_interference,  // sni_reset / sni_drop / sni_close (exact test vs controls)
        rule_injected_without_controls,  // no controls, but the resets are injected
        rule_residual_blocking,  // one injected trigger, then the address blocked for a while
        rule_all_reset,          // every variant reset alike: the server (or an address block)
        rule_ech_block,  // the name fails only with ECH; before the large-hello rule, because
                         // the large and browser hellos carry GREASE ECH too
        rule_server_large_hello,  // two-segment hellos fail whatever the name: the server's
        rule_tls_alert,           // the server's alert for the name
        rule_certificate,         // handshake works, certificate does not
        rule_http_host_block,     // TLS fine, plain HTTP with the Host is not
        rule_quic_block,          // TLS fine, QUIC (HTTP/3) to the name is not
        rule_dns_only,            // fine at --ip, DNS points elsewhere
        rule_ok,                  // fine
    };
    const Facts facts(d, options.evidence_text);
    std::optional<Verdict> found;
    for (Rule rule : k_rules)
        if ((found = rule(facts))) break;
    // The fallback is built only when no rule matched (its text is formatted).
    Verdict v = found ? std::move(*found) : inconclusive(facts);
    add_supporting_evidence(facts, v);
    add_residual_timing_evidence(facts, v);    // a residual block behind an sni_* verdict
    add_sink_evidence(facts, v);               // diagnose --sink: the server's side
    add_measured_residual_evidence(facts, v);  // diagnose --residual: the measured block
    add_backoff_evidence(facts, v);            // a busy server made the run back off
    v.confidence = std::clamp(v.confidence, 0.0, 1.0);
    return v;
}

std::vector<FamilyVerdict> decide_per_family(const Diagnosis& d) {
    std::vector<FamilyVerdict> out;
    for (const char* family : {"ipv4", "ipv6"}) {
        Diagnosis part;
        part.target = d.target;
        part.resolution = d.resolution;
        part.resolution.addresses.clear();
        for (const AddressInfo& a : d.resolution.addresses)
            if (a.family == family) part.resolution.addresses.push_back(a);
        FamilyVerdict fv;
        fv.family = family;
        for (const Trial& t : d.trials) {
            const bool v6 = t.address.find(':') != std::string::npos;
            if (v6 != (std::string_view(family) == "ipv6")) continue;
            part.trials.push_back(t);
            if (std::find(fv.addresses.begin(), fv.addresses.end(), t.address) ==
                fv.addresses.end())
                fv.addresses.push_back(t.address);
        }
        if (part.trials.empty()) continue;
        part.analysis = analyze(part.trials);
        fv.trials = static_cast<int>(part.trials.size());
        fv.verdict = decide(part);
        out.push_back(std::move(fv));
    }
    if (out.size() < 2) out.clear();
    return out;
}

}  // namespace sniprobe
