// The evidence lines that more than one rule cites: what the packets say about who sent
// the RSTs or FINs, the target name's failure rate, a run without capture, and DNS. Each
// of these ids is built here and nowhere else, so a line means the same whichever rule
// cites it; the rule only says which reading of the facts applies.
#include <fmt/core.h>

#include "verdict/rules.hpp"

namespace sniprobe::verdict {

Evidence injected_evidence(Outcome o, InjectedReading reading, int injected, int analysed) {
    const EvidenceId& id = o == Outcome::eof ? evidence::fin_injected : evidence::rst_injected;
    switch (reading) {
        case InjectedReading::most_of_target:
            return cite(id, fmt::format("{} of {} analysed packets do not match the server's "
                                        "SYN-ACK fingerprint",
                                        injected, analysed));
        case InjectedReading::outnumbered_by_server:
            return cite(id,
                        fmt::format("{} packets looked injected; the server's own outnumber them",
                                    injected));
        case InjectedReading::address_wide:
            return cite(id,
                        fmt::format("{} of {} analysed RSTs do not match the server's fingerprint",
                                    injected, analysed));
        case InjectedReading::after_trigger:
            break;
    }
    return cite(id, fmt::format("{} packets on failed target-name handshakes do not match the "
                                "server's SYN-ACK",
                                injected));
}

Evidence origin_unknown_evidence(std::optional<int> analysed) {
    if (analysed)
        return cite(evidence::rst_origin_unknown,
                    fmt::format("{} packets analysed, none attributed to the path or the server",
                                *analysed));
    return cite(evidence::rst_origin_unknown, "captured RSTs could not be attributed");
}

Evidence no_capture_evidence(LookAlike look_alike) {
    if (look_alike == LookAlike::server_name_filter)
        return cite(evidence::no_capture,
                    "judged from socket errors only; a server-side SNI filter would look the same "
                    "(re-run as root for packet forensics)");
    return cite(evidence::no_capture,
                "judged from socket errors only; an address-wide block on the path would look the "
                "same");
}

Evidence name_rate_evidence(Outcome o, std::string stats) {
    const EvidenceId& id = o == Outcome::reset     ? evidence::sni_reset_rate
                           : o == Outcome::timeout ? evidence::sni_timeout_rate
                                                   : evidence::sni_eof_rate;
    return cite(id, std::move(stats));
}

Evidence name_dependence_evidence(const Facts& f, Outcome o) {
    return name_rate_evidence(o, fmt::format("name-dependent: sni {} vs controls {} (p = {:.2g})",
                                             ratio(f.target.count(o), f.target.trials),
                                             ratio(f.controls.count(o), f.controls.trials),
                                             differential_p(f.target, f.controls, o)));
}

Evidence dns_unresolved_evidence(const Facts& f) {
    const std::string& failure = f.d.resolution.failure;
    return cite(evidence::dns_failure,
                fmt::format("DNS for {}: {}", f.d.target.host,
                            failure.empty() ? "no A/AAAA records" : failure));
}

std::optional<Evidence> dns_disagreement_evidence(const Facts& f) {
    auto line = dns_disagreement(f);
    if (!line) return std::nullopt;
    const bool failed = !f.d.resolution.failure.empty() && f.d.resolution.dns_addresses.empty();
    return cite(failed ? evidence::dns_failure : evidence::dns_mismatch, std::move(*line));
}

}  // namespace sniprobe::verdict
