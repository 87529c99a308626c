// `sniprobe diagnose HOST[:PORT]`: the main job, read top to bottom as the pipeline of
// DESIGN.md §3 — parse, resolve, plan, probe with capture attached, analyse, decide,
// trace where the network is to blame, report. Each stage is a plain function over
// plain data; this file only wires them and turns flags into options. The quirk it
// owns: capture is best effort. Without privileges the verdict still comes from socket
// evidence, with a note and lower confidence, rather than refusing to run.
#include <fmt/core.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <thread>

#include "analysis/analyze.hpp"
#include "capture/attach.hpp"
#include "capture/capture_session.hpp"
#include "capture/pcapng_writer.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "probe/backoff.hpp"
#include "probe/engine.hpp"
#include "probe/plan.hpp"
#include "probe/quic_trials.hpp"
#include "probe/residual_guard.hpp"
#include "report/html_report.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"
#include "residual/residual.hpp"
#include "resolve/resolver.hpp"
#include "resolve/target.hpp"
#include "sink/diagnose_hook.hpp"
#include "trace/trace.hpp"
#include "util/clock.hpp"
#include "util/interrupt.hpp"
#include "util/result.hpp"
#include "verdict/decide.hpp"

namespace sniprobe::cli {
namespace {

struct DiagnoseArgs {
    std::string target;
    std::string ip;
    std::string control_sni;
    int trials = 10;
    int timeout_ms = 4000;
    int concurrency =
        64;  // all of a default run in flight: a drop costs one timeout, not one per trial
    int max_addresses = 4;
    std::string ca_file;
    std::string pcap_file;
    std::string html_file;  // --html: the self-contained page (report/html_report.hpp)
    std::vector<std::string> variants;
    uint64_t seed = 0;
    bool json = false;
    bool no_capture = false;
    bool no_trace = false;
    bool verbose = false;
    bool quic = false;      // --quic: the QUIC variants even off port 443
    bool no_quic = false;   // --no-quic: none, even on port 443
    bool residual = false;  // --residual: time the block after a trigger (residual/residual.hpp)
    double residual_max_s = 200;
    std::string sink_url, sink_token_file;  // --sink, --token-file (sink/diagnose_hook.hpp)
};

// Flags -> the Target the pipeline works on. Bad input is a usage error (exit 2).
Target make_target(const DiagnoseArgs& a) {
    auto target = parse_target(a.target, 443);
    if (!target) throw usage_error(target.error().message);
    if (!a.ip.empty()) {
        auto ip = parse_ip_literal(a.ip);
        if (!ip) throw usage_error("--ip: " + ip.error().message);
        target->forced_ip = *ip;
    }
    if (!a.control_sni.empty()) {
        auto control = parse_target(a.control_sni, 443);
        if (!control || control->sni.empty())
            throw usage_error("--control-sni: '" + a.control_sni + "' is not a host name");
        target->control_sni = control->sni;
    }
    if (target->control_sni.empty()) target->control_sni = default_control_sni(*target);
    return *target;
}

// The TCP variants asked for (--variants without the QUIC names; all by default).
std::vector<Variant> make_variants(const DiagnoseArgs& a) {
    if (a.variants.empty()) return all_variants();
    std::vector<Variant> out;
    for (const auto& name : a.variants) {
        if (name == "browser") {
            const auto& set = browser_variants();
            out.insert(out.end(), set.begin(), set.end());
            continue;
        }
        auto v = variant_from_name(name);
        if (!v) throw usage_error("--variants: unknown variant '" + name + "'");
        if (!is_quic(*v)) out.push_back(*v);
    }
    return out;
}

// The QUIC variants to run: those named in --variants, else all of them with --quic, on
// port 443 (where browsers try HTTP/3) or when the name's HTTPS record advertises h3;
// none with --no-quic.
std::vector<Variant> make_quic_variants(const DiagnoseArgs& a, const Target& target,
                                        bool https_h3) {
    if (a.no_quic) return {};
    std::vector<Variant> named;
    for (const auto& name : a.variants)
        if (auto v = variant_from_name(name); v && is_quic(*v)) named.push_back(*v);
    if (!named.empty()) return named;
    if (!a.variants.empty() && !a.quic) return {};  // an explicit TCP-only list
    if (a.quic || target.port == 443 || https_h3) return quic_variants();
    return {};
}

// Off port 443, with QUIC neither asked for nor refused: does the name's HTTPS record (DNS
// type 65) advertise HTTP/3 (alpn h3)? What it publishes (h3, ECH and its public name)
// goes into the notes; a lookup that fails is a note too, and means no.
bool https_advertises_h3(const DiagnoseArgs& a, const Target& target, Diagnosis& d) {
    if (a.quic || a.no_quic || !a.variants.empty() || target.port == 443 ||
        is_ip_literal(target.host))
        return false;
    ResolveOptions options;
    options.timeout_ms = 2000;
    auto records = lookup_https(target.host, options);
    if (!records) {
        d.notes.push_back("no HTTPS record read (" + records.error().message +
                          "): QUIC not probed off port 443 without --quic");
        return false;
    }
    bool h3 = false;
    for (const HttpsRecord& r : *records) {
        h3 = h3 || r.has_alpn("h3");
        for (const std::string& name : r.ech_public_names)
            d.notes.push_back("the HTTPS record publishes ECH (public_name " + name + ")");
    }
    if (h3)
        d.notes.push_back(fmt::format(
            "the HTTPS record advertises h3: QUIC probed on port {} as well", target.port));
    return h3;
}

// Starts packet capture on the probed flows, or records why not.
std::optional<capture::CaptureSession> start_capture(const DiagnoseArgs& a, const Resolution& r,
                                                     const ProbeOptions& probe, Diagnosis& d) {
    if (a.no_capture) {
        d.notes.push_back("capture disabled (--no-capture): verdict from socket evidence only");
        return std::nullopt;
    }
    capture::CaptureSpec spec;
    for (const auto& addr : r.addresses) spec.remote_addresses.push_back(addr.address);
    spec.remote_ports = {d.target.port, probe.http_port};
    auto session = capture::CaptureSession::start(spec);
    if (!session) {
        fmt::print(stderr, "sniprobe: {}\n", session.error().message);
        d.notes.push_back("capture unavailable (" + session.error().message +
                          "): verdict from socket evidence only, lower confidence");
        return std::nullopt;
    }
    return std::move(*session);
}

// Locates the interfering hop when the verdict blames something on the path.
void trace_if_useful(const DiagnoseArgs& a, Diagnosis& d) {
    const auto& cause = d.verdict.cause;
    bool path_cause =
        cause == Cause::sni_reset || cause == Cause::sni_drop || cause == Cause::sni_close;
    if (a.no_trace || !path_cause || d.resolution.addresses.empty() || interrupted()) return;
    trace::TraceOptions options;
    options.address = d.resolution.addresses.front().address;
    options.port = d.target.port;
    options.target_name = d.target.sni;
    options.control_name = d.target.control_sni;
    options.max_ttl = 16;
    auto result = trace::run_trace(options);
    if (!result) {
        // Without CAP_NET_RAW the raw ICMP socket is refused: the trace is skipped, not failed.
        const bool no_privilege = result.error().code == ErrorCode::permission;
        d.notes.push_back(std::string(no_privilege ? "trace skipped: " : "trace failed: ") +
                          result.error().message);
        return;
    }
    d.trace = std::move(*result);
}

int run_diagnose(const DiagnoseArgs& a) {
    Diagnosis d;
    const double started = realtime_seconds();

    // 1. What the user asked for: host, port, SNI (punycode), control name.
    d.target = make_target(a);

    // 2. Resolve (c-ares; /etc/hosts first). No address is a finding (`dns`), not an error.
    ResolveOptions resolve_options;
    resolve_options.max_addresses = a.max_addresses;
    d.resolution = resolve(d.target, resolve_options);

    // 3. Plan: variants x trials, interleaved and shuffled, fresh source port each.
    ProbeOptions probe;
    probe.variants = make_variants(a);
    probe.trials_per_variant = a.trials;
    probe.timeout_ms = a.timeout_ms;
    probe.concurrency = a.concurrency;
    probe.ca_file = a.ca_file;
    probe.max_addresses = a.max_addresses;
    probe.seed = a.seed != 0 ? a.seed : std::random_device{}();
    probe.run_start_unix = started;
    auto plan = plan_trials(d.target, d.resolution, probe);
    // Controls first (a baseline before any target name is sent), then the rest, stopped
    // early when a residual block swallows everything after the first target hello.
    const size_t baseline = move_baseline_first(plan);
    QuicTrialOptions quic;
    quic.variants = make_quic_variants(a, d.target, https_advertises_h3(a, d.target, d));
    quic.trials_per_variant = std::min(a.trials, 5);
    quic.timeout_ms = std::min(a.timeout_ms, 3000);
    quic.run_start_unix = started;

    // 4. Probe on one event loop with capture attached to our own flows; the QUIC
    // variants (UDP, their own poll loop) run beside it on a second thread.
    std::vector<Trial> quic_trials;
    std::jthread quic_thread;  // joined on every path out, a thrown Fatal too
    if (!quic.variants.empty() && !d.resolution.addresses.empty())
        quic_thread = std::jthread([&] {
            quic_trials =
                run_quic_trials(d.target, d.resolution, quic, static_cast<int>(plan.size()));
        });
    if (!plan.empty()) {
        auto session = start_capture(a, d.resolution, probe, d);
        // One pass over the plan; then, while the controls fail in bursts (a busy server
        // refusing connections beyond its limit), the whole plan again with half as many in
        // flight (probe/backoff.hpp).
        std::vector<std::vector<Trial>> passes;
        std::vector<std::string> stop_notes;
        BackoffPlanner backoff;
        const double probing_start = monotonic_seconds();
        double first_pass_s = 0;
        for (int concurrency = probe.concurrency;
             concurrency > 0 && (passes.empty() || !interrupted());) {
            ProbeOptions pass_options = probe;
            pass_options.concurrency = concurrency;
            ResidualGuard guard(baseline);
            Progress progress(passes.empty() ? "probing" : "probing again, fewer at once",
                              static_cast<int>(plan.size()),
                              a.json ? Progress::Mode::quiet : Progress::Mode::auto_detect);
            ProbeHooks hooks;
            hooks.on_progress = [&](int done, int total) { progress.update(done, total); };
            hooks.on_trial_done = [&](const Trial& t) { guard.on_done(t); };
            // A retry whose baseline fails outright meets a block, not a busy server.
            const bool retry = !passes.empty();
            hooks.admit = [&](const PlannedTrial& next) {
                return retry && guard.baseline_failed() ? Admit::stop : guard.admit(next);
            };
            passes.push_back(run_trials(plan, pass_options, hooks));
            progress.finish();
            stop_notes.push_back(guard.stopped() ? fmt::format("{} ({} of {} planned trials ran)",
                                                               guard.stop_note(),
                                                               passes.back().size(), plan.size())
                                                 : std::string());
            // A residual block is not a busy server: its retries would only meet the block.
            const int next = backoff.after_pass(summarize_pass(passes.back(), concurrency));
            const double probed_s = monotonic_seconds() - probing_start;
            if (passes.size() == 1) first_pass_s = probed_s;
            const bool over_budget =
                probed_s - first_pass_s >
                std::max(first_pass_s * k_backoff_time_factor, k_backoff_min_budget_s);
            if (next > 0 && over_budget && !guard.stopped())
                d.notes.push_back(fmt::format(
                    "the back-off stopped at {} in flight: the retries had taken {:.0f} s, "
                    "over their budget ({:.0f} times the first pass, {:.0f} s at least)",
                    concurrency, probed_s - first_pass_s, k_backoff_time_factor,
                    k_backoff_min_budget_s));
            concurrency = guard.stopped() || over_budget ? 0 : next;
        }
        const auto kept = static_cast<size_t>(backoff.backoff().kept);
        if (backoff.backed_off()) d.backoff = backoff.backoff();
        if (!stop_notes[kept].empty()) d.notes.push_back(stop_notes[kept]);
        if (session) {
            // Every pass's trials take their packets (a later pass may reuse a source
            // port), then the kept pass is the run's.
            std::vector<Trial> all;
            std::vector<size_t> kept_at;
            for (size_t p = 0; p < passes.size(); ++p)
                for (Trial& t : passes[p]) {
                    if (p == kept) kept_at.push_back(all.size());
                    all.push_back(std::move(t));
                }
            auto packets = session->stop();
            auto stats = capture::attach_packets(all, packets, started);
            for (size_t i : kept_at) d.trials.push_back(std::move(all[i]));
            for (auto& line : stats.anomaly_lines()) d.anomalies.push_back(std::move(line));
            auto counters = session->stats();
            if (counters.dropped_kernel > 0)
                d.notes.push_back(
                    fmt::format("capture: the kernel dropped {} packets", counters.dropped_kernel));
            if (!a.pcap_file.empty()) {
                auto written = capture::write_pcapng(a.pcap_file, packets);
                if (!written) d.notes.push_back("--pcap: " + written.error().message);
            }
        } else {
            d.trials = std::move(passes[kept]);
        }
    }
    if (quic_thread.joinable()) quic_thread.join();
    d.trials.insert(d.trials.end(), std::make_move_iterator(quic_trials.begin()),
                    std::make_move_iterator(quic_trials.end()));
    if (interrupted()) return 128 + interrupt_signal();

    // 5. Analyse: per-variant rates with Wilson intervals; RST forensics vs the SYN-ACK.
    d.analysis = analyze(d.trials);

    // 6. Decide: one cause from the fixed taxonomy, with evidence and advice.
    d.verdict = decide(d);

    // 6b. With --residual: how long the tuple stays blocked after the last trigger, and on
    // which fields (before the trace, whose target-name hellos would trigger it again).
    if (a.residual && !interrupted()) {
        residual::MeasureOptions residual_options;
        residual_options.max_s = a.residual_max_s;
        const int max_s = static_cast<int>(a.residual_max_s);
        Progress progress("residual block, s", max_s,
                          a.json ? Progress::Mode::quiet : Progress::Mode::auto_detect);
        auto world = residual::live_world(probe);
        world.on_round = [&](double since_s) {
            progress.update(std::min(static_cast<int>(since_s), max_s), max_s);
        };
        d.residual = residual::measure(d, residual_options, world);
        progress.finish();
    }

    // 7. Trace the path when the network is to blame, then judge again with the hop.
    trace_if_useful(a, d);
    if (d.trace) d.verdict = decide(d);

    // 7b. With --sink: what the server really received, joined with our trials.
    if (!a.sink_url.empty()) sink::correlate(d, {a.sink_url, a.sink_token_file, started});
    residual::add_notes(d);  // why no block was measured, when none was
    // 7c. The final verdict, with the sink's view (E_SINK_*) and the measured residual
    // block (E_RESIDUAL_BLOCKING) as further inputs.
    if (d.sink || d.residual) d.verdict = decide(d);
    // A dual-stack run: one verdict per family too (a box may inspect only one of them).
    d.families = decide_per_family(d);
    if (d.families.size() == 2 && d.families[0].verdict.cause != d.families[1].verdict.cause)
        d.notes.push_back(fmt::format(
            "the families differ: {} {}, {} {}; the overall verdict mixes both, read the "
            "per-family lines",
            d.families[0].family, to_name(d.families[0].verdict.cause), d.families[1].family,
            to_name(d.families[1].verdict.cause)));
    d.duration_s = realtime_seconds() - started;

    // 8. Report.
    if (a.json) {
        write_json(std::cout, d);
    } else {
        TextOptions text;
        const char* no_colour = std::getenv("NO_COLOR");
        bool colour = ::isatty(STDOUT_FILENO) && (no_colour == nullptr || *no_colour == '\0');
        text.colour = colour ? Colour::on : Colour::off;
        text.detail = a.verbose ? Detail::full : Detail::summary;
        write_text(std::cout, d, text);
    }
    std::cout.flush();
    if (!a.html_file.empty()) {
        auto written = write_html_file(a.html_file, d);
        if (!written) throw Fatal(written.error());
    }
    if (d.trials.empty() && d.verdict.cause != Cause::dns) return 3;
    return d.verdict.cause == Cause::ok ? 0 : 1;
}

}  // namespace

void register_diagnose(CLI::App& app) {
    auto args = std::make_shared<DiagnoseArgs>();
    auto* cmd = app.add_subcommand(
        "diagnose", "Find out who resets (or drops) TLS handshakes to HOST, and why");
    set_long_help(
        cmd,
        "Find out who resets (or drops) TLS handshakes to HOST, and why.\n\n"
        "Runs differential probes — the target name as SNI, no SNI, an unrelated control\n"
        "name, the ClientHello split across TCP segments and TLS records, mixed case, a\n"
        "large (post-quantum sized) hello, browser-shaped hellos, the name and the control\n"
        "name with a GREASE ECH extension, plain HTTP with that Host, and a full handshake\n"
        "with certificate verification — repeated and shuffled, with packet capture. Prints\n"
        "per-variant success rates with 95% intervals, who sent each RST (injected or the\n"
        "server's own, from TTL, IP ID, timing and sequence numbers), and one verdict.\n\n"
        "Examples:\n"
        "  sniprobe diagnose example.com\n"
        "  sniprobe diagnose example.com:8443 --ip 192.0.2.10 --trials 20\n"
        "  sniprobe diagnose example.com --json > report.json\n");
    cmd->add_option("target", args->target,
                    "HOST, HOST:PORT, an IP literal or [IPv6]:PORT (IDN allowed)")
        ->required();
    cmd->add_option(
        "--ip", args->ip,
        "probe this address instead of the DNS answer (a differing answer is evidence)");
    add_control_sni_option(cmd, args->control_sni);
    cmd->add_option("--trials", args->trials, "trials per variant")
        ->check(CLI::Range(1, 200))
        ->capture_default_str();
    add_timeout_option(cmd, args->timeout_ms);
    cmd->add_option("--concurrency", args->concurrency, "trials in flight at once")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--max-addresses", args->max_addresses,
                    "test at most this many of the resolved addresses")
        ->check(CLI::Range(1, 16))
        ->capture_default_str();
    cmd->add_option("--ca-file", args->ca_file,
                    "trust these CA certificates (PEM) for full_verify instead of the system store")
        ->check(CLI::ExistingFile);
    cmd->add_option("--variants", args->variants,
                    "only these variants (sni,no_sni,control_sni,...; browser = "
                    "sni_chrome,control_chrome,sni_firefox,control_firefox; sni_ech,control_ech "
                    "(GREASE ECH); quic_sni,quic_no_sni,quic_control,quic_version_ping,"
                    "quic_followup_same_port,quic_followup_new_port,quic_sni_ech,"
                    "quic_control_ech)")
        ->delimiter(',');
    cmd->add_option("--pcap", args->pcap_file, "write every probe's packets to this pcapng file");
    cmd->add_option("--seed", args->seed, "shuffle seed (default: random; printed in --json)");
    cmd->add_option("--html", args->html_file,
                    "also write the report as one self-contained HTML page to this file");
    add_json_flag(cmd, args->json, "docs/json.md");
    cmd->add_flag("--no-capture", args->no_capture,
                  "do not capture packets (no root needed; lower confidence)");
    cmd->add_flag("--no-trace", args->no_trace, "do not locate the interfering hop");
    auto* quic = cmd->add_flag(
        "--quic", args->quic,
        "also probe HTTP/3 (QUIC over UDP): the name, no name, the control name, the name "
        "and the control name with GREASE ECH, and a version ping, then the control name again at "
        "+1 s and +3 s from the same and a new "
        "source port (default on for port 443, or when the name's HTTPS DNS record advertises h3)");
    cmd->add_flag("--no-quic", args->no_quic, "do not probe QUIC, even on port 443")
        ->excludes(quic);
    auto* residual = cmd->add_flag(
        "--residual", args->residual,
        "after a reset naming HOST, time how long the control name stays blocked on that "
        "address and port, and whether other ports are blocked too");
    cmd->add_option("--residual-max-s", args->residual_max_s,
                    "stop timing the residual block after this many seconds")
        ->check(CLI::Range(1.0, 1800.0))
        ->capture_default_str()
        ->needs(residual);
    cmd->add_flag("-v,--verbose", args->verbose, "print every RST finding with its reasons");
    auto* sink =
        cmd->add_option("--sink", args->sink_url,
                        "http://HOST:PORT of a `sniprobe sink` on the server: who reset whom");
    add_token_file_option(cmd, args->sink_token_file)->needs(sink);
    sink->needs("--token-file");
    on_run(cmd, [args] { exit_status() = run_diagnose(*args); });
}

}  // namespace sniprobe::cli
