// Evidence that supports whatever cause was chosen: what the split, large and mixed-case
// variants reveal about the interfering box (a split that *succeeds* while the plain
// name fails says the box does not reassemble TCP; a failed split means something only
// beside the control split), known injector signatures, the trace's hop, and secondary
// problems (a bad certificate or DNS) that the user must fix as well.
#include <fmt/core.h>

#include <algorithm>

#include <tuple>

#include "verdict/rules.hpp"

namespace sniprobe::verdict {
namespace {

bool works(const Tally& t) {
    return t.ran() && t.ok() * 5 >= t.trials * 4;
}
bool fails(const Tally& t) {
    return t.ran() && t.ok() * 2 < t.trials;
}

void add(Verdict& v, const EvidenceId& id, std::string text) {
    if (!cites(v, id)) v.evidence.push_back(cite(id, std::move(text)));
}

void add(Verdict& v, Evidence e) {
    const bool cited = std::any_of(v.evidence.begin(), v.evidence.end(),
                                   [&](const Evidence& x) { return x.id == e.id; });
    if (!cited) v.evidence.push_back(std::move(e));
}

void add_variant_evidence(const Facts& f, Verdict& v) {
    if (works(f.split_tcp)) {
        add(v, evidence::split_evades,
            fmt::format("sni_split_tcp {} ok while sni fails",
                        ratio(f.split_tcp.ok(), f.split_tcp.trials)));
        v.advice.push_back(
            "A ClientHello split across TCP segments gets through: the box does not "
            "reassemble TCP. Clients that split it may work; a workaround, not a fix.");
    } else if (fails(f.split_tcp) && works(f.control_split)) {
        add(v, evidence::split_blocked,
            fmt::format("sni_split_tcp {} ok, control_split_tcp {} ok",
                        ratio(f.split_tcp.ok(), f.split_tcp.trials),
                        ratio(f.control_split.ok(), f.control_split.trials)));
    } else if (fails(f.split_tcp) && fails(f.control_split)) {
        add(v, evidence::server_rejects_split,
            fmt::format("control_split_tcp {} ok",
                        ratio(f.control_split.ok(), f.control_split.trials)));
    }
    if (works(f.split_record))
        add(v, evidence::record_split_evades,
            fmt::format("sni_split_record {} ok while sni fails",
                        ratio(f.split_record.ok(), f.split_record.trials)));
    if (works(f.large)) {
        add(v, evidence::large_evades,
            fmt::format("sni_large {} ok while sni fails", ratio(f.large.ok(), f.large.trials)));
        v.advice.push_back(
            "Large ClientHellos pass: browsers sending post-quantum key shares may "
            "load the site while curl and older clients fail.");
    }
    if (fails(f.large) && works(f.split_tcp))
        v.advice.push_back(
            "A large (post-quantum sized) ClientHello is still caught although split ones "
            "pass: browsers with post-quantum key shares are blocked too.");
    // One line per id, naming each browser shape it holds for.
    std::string browser_evades, browser_blocked;
    auto join = [](std::string& line, const std::string& part) {
        line += (line.empty() ? "" : "; ") + part;
    };
    for (const auto& [shape, target, control] :
         {std::tuple{"sni_chrome", &f.chrome, &f.control_chrome},
          std::tuple{"sni_firefox", &f.firefox, &f.control_firefox}}) {
        if (works(*target)) {
            join(browser_evades,
                 fmt::format("{} {} ok", shape, ratio(target->ok(), target->trials)));
        } else if (fails(*target) && works(*control)) {
            join(browser_blocked, fmt::format("{} {} ok, its control {} ok", shape,
                                              ratio(target->ok(), target->trials),
                                              ratio(control->ok(), control->trials)));
        }
    }
    if (!browser_evades.empty())
        add(v, evidence::browser_evades, browser_evades + " while sni fails");
    if (!browser_blocked.empty()) add(v, evidence::browser_blocked, browser_blocked);
    if (works(f.sni_case))
        add(v, evidence::case_evades,
            fmt::format("sni_case {} ok while sni fails",
                        ratio(f.sni_case.ok(), f.sni_case.trials)));
}

std::string signature_list(const Forensics& fr) {
    std::string out;
    for (const auto& [name, n] : fr.signatures) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{} x{}", name, n);
    }
    return out;
}

bool is_interference(const Verdict& v) {
    return v.cause == Cause::sni_reset || v.cause == Cause::sni_drop || v.cause == Cause::sni_close;
}

}  // namespace

void add_supporting_evidence(const Facts& f, Verdict& v) {
    if (is_interference(v)) {
        add_variant_evidence(f, v);
        if (!f.target_forensics.signatures.empty())
            add(v, evidence::rst_signature,
                fmt::format("injected packets match: {}", signature_list(f.target_forensics)));
        if (f.d.trace && f.d.trace->middlebox_hop) {
            const TraceResult& trace = *f.d.trace;
            add(v, evidence::trace_middlebox_hop,
                fmt::format("interference starts at hop {}{}{}", *trace.middlebox_hop,
                            trace.middlebox_router.empty()
                                ? ""
                                : fmt::format(" (router {})", trace.middlebox_router),
                            trace.placement.empty() ? "" : fmt::format(", {}", trace.placement)));
            v.confidence = std::min(0.99, v.confidence + 0.02);
        }
    }
    if (v.cause == Cause::ok && fails(f.large))
        add(v, evidence::large_fails,
            fmt::format("sni_large {} ok ({}) while sni works", ratio(f.large.ok(), f.large.trials),
                        f.large.failure_list()));

    if (v.cause != Cause::certificate)
        if (auto problem = certificate_problem(f); problem && !cites(v, *problem->id)) {
            add(v, *problem->id, problem->detail);
            v.advice.push_back(
                fmt::format("Fix the certificate as well ({}).", to_name(problem->subcode)));
        }
    if (v.cause != Cause::dns)
        if (auto line = dns_disagreement_evidence(f)) add(v, *line);
    if (v.cause != Cause::http_host_block && is_interference(v))
        if (auto sign = http_block_sign(f);
            sign && !cites(v, evidence::http_blockpage) && !cites(v, evidence::http_host_reset))
            v.evidence.push_back(*sign);
}

void add_backoff_evidence(const Facts& f, Verdict& v) {
    if (!f.d.backoff || f.d.backoff->passes.size() < 2 || cites(v, evidence::server_backoff))
        return;
    const Backoff& b = *f.d.backoff;
    const BackoffPass& first = b.passes.front();
    const BackoffPass& kept = b.passes[static_cast<size_t>(b.kept)];
    std::string passes;
    for (const BackoffPass& p : b.passes)
        passes += fmt::format("{}{} at once: {}/{} failed", passes.empty() ? "" : "; ",
                              p.concurrency, p.failed, p.trials);
    if (b.kept == 0) {
        v.evidence.push_back(cite(
            evidence::server_backoff,
            fmt::format("{} controls failed in a burst with {} in flight, but fewer at once did "
                        "not help ({}): not a busy server; the first pass stands",
                        first.burst, first.concurrency, passes)));
        return;
    }
    v.evidence.push_back(cite(
        evidence::server_backoff,
        fmt::format("with {} in flight {} of {} controls failed ({} within {:.0f} s), whatever "
                    "the name: the server refuses a client's connections beyond some number at "
                    "once; the verdict rests on the pass with {} in flight ({})",
                    first.concurrency, first.control_failed, first.control_trials, first.burst,
                    k_backoff_burst_window_s, kept.concurrency, passes)));
    v.advice.push_back(fmt::format(
        "The server limits concurrent connections per client (limit_conn, connlimit, a SYN-flood "
        "guard or a small backlog): not interference. Probe it with --concurrency {} or fewer.",
        kept.concurrency));
}

}  // namespace sniprobe::verdict
