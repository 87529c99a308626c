// The server's side of the story as evidence: what `diagnose --sink` correlated (a
// SinkReport in the Diagnosis) becomes the E_SINK_* lines, aggregated over trials. The
// sink never changes the cause or the confidence: the client-side verdict stands on its
// own, and the sink only confirms or contradicts it where a user can read both.
#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "verdict/rules.hpp"

namespace sniprobe::verdict {
namespace {

// "53" or "52-53" for the TTLs of the forged RSTs.
std::string ttl_range(const std::vector<int>& ttls) {
    if (ttls.empty()) return "?";
    auto [lo, hi] = std::minmax_element(ttls.begin(), ttls.end());
    return *lo == *hi ? std::to_string(*lo) : fmt::format("{}-{}", *lo, *hi);
}

}  // namespace

void add_sink_evidence(const Facts& f, Verdict& v) {
    if (!f.d.sink) return;
    const SinkReport& report = *f.d.sink;
    if (!report.failure.empty() || report.trials_matched == 0) return;
    std::map<SinkFinding, int> count;
    std::vector<int> forged_ttls, syn_ttls;
    for (const auto& t : report.trials) {
        ++count[t.finding];
        if (t.finding != SinkFinding::two_sided) continue;
        for (int ttl : t.rst_ttls) forged_ttls.push_back(ttl);
        if (t.syn_ttl) syn_ttls.push_back(*t.syn_ttl);
    }
    const int reset = count[SinkFinding::two_sided] + count[SinkFinding::client_only] +
                      count[SinkFinding::server_rst];
    if (int n = count[SinkFinding::two_sided])
        v.evidence.push_back(cite(
            evidence::sink_two_sided,
            fmt::format(
                "in {} of {} reset handshakes the server received a reset from you that you never "
                "sent (it arrived with TTL {}, your own packets with TTL {}): something between "
                "you cut the connection at both ends",
                n, reset, ttl_range(forged_ttls), ttl_range(syn_ttls))));
    if (int n = count[SinkFinding::client_only])
        v.evidence.push_back(
            cite(evidence::sink_client_only,
                 fmt::format(
                     "in {} of {} reset handshakes the reset reached only you: the server received "
                     "none you did not send and sent none itself",
                     n, reset)));
    if (int n = count[SinkFinding::server_rst])
        v.evidence.push_back(
            cite(evidence::sink_server_rst,
                 fmt::format(
                     "in {} handshakes the server's own machine sent the reset: look at the server "
                     "(its firewall, proxy or TLS setup), not the network",
                     n)));
    if (int n = count[SinkFinding::no_client_hello])
        v.evidence.push_back(cite(
            evidence::sink_no_client_hello,
            fmt::format(
                "in {} failed handshakes the server saw the connection open but never received "
                "the ClientHello: it was dropped on the way",
                n)));
    if (int n = count[SinkFinding::answer_lost])
        v.evidence.push_back(cite(
            evidence::sink_answer_lost,
            fmt::format(
                "in {} failed handshakes the server received the ClientHello and answered, but "
                "the answer never reached you",
                n)));
    if (int n = count[SinkFinding::no_connection])
        v.evidence.push_back(cite(
            evidence::sink_no_connection,
            fmt::format(
                "{} failed connections never reached the server at all, while {} others of this "
                "run did",
                n, report.trials_matched)));
}

}  // namespace sniprobe::verdict
