// `sniprobe scan`: many names (or host,ip,port targets) probed on one event loop with
// ClientHello probes, judged by diagnose's verdict rules, written as JSON Lines. This
// file turns flags into ScanOptions, streams the input through --resume's done set,
// reports malformed lines with their line numbers, and draws the progress line and the
// summary on stderr (stdout may be the JSON Lines). The quirk: a scan is long and may be
// interrupted, so each record is flushed as it is judged and --resume can trust every
// complete line of the file.
#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "resolve/target.hpp"
#include "scan/fd_limit.hpp"
#include "scan/resume.hpp"
#include "scan/scanner.hpp"
#include "scan/targets.hpp"
#include "util/interrupt.hpp"
#include "util/result.hpp"

namespace sniprobe::cli {
namespace {

struct ScanArgs {
    std::string names_file, targets_file, ip, output, control_sni;
    int port = 443;
    int trials = 3;
    int control_trials = 10;
    int timeout_ms = 4000;
    int concurrency = 512;
    int per_address = 64;
    double rate = 0;
    bool full = false;
    bool quic = false;
    std::string hello_shape = "openssl";
    bool resume = false;
    bool quiet = false;
};

// The progress line: targets done, rate, ETA; redrawn at most 10 times a second, TTY only.
class ScanProgress {
  public:
    ScanProgress(std::optional<long> total, bool enabled)
        : m_total(total), m_enabled(enabled && ::isatty(STDERR_FILENO)), m_started(Clock::now()) {}

    void update(long done) {
        if (!m_enabled) return;
        auto now = Clock::now();
        if (now - m_last < std::chrono::milliseconds(100)) return;
        m_last = now;
        double elapsed_s = std::chrono::duration<double>(now - m_started).count();
        double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
        std::string line = fmt::format("scan: {} targets, {:.0f}/s", done, rate);
        if (m_total && *m_total > 0 && rate > 0) {
            double eta_s = std::max(0.0, static_cast<double>(*m_total - done) / rate);
            line = fmt::format("scan: {}/{} targets, {:.0f}/s, ETA {}:{:02d}", done, *m_total, rate,
                               static_cast<long>(eta_s) / 60, static_cast<long>(eta_s) % 60);
        }
        fmt::print(stderr, "\r\033[K{}", line);
        std::fflush(stderr);
        m_drawn = true;
    }

    void clear() {
        if (!m_drawn) return;
        fmt::print(stderr, "\r\033[K");
        std::fflush(stderr);
        m_drawn = false;
    }

  private:
    using Clock = std::chrono::steady_clock;
    std::optional<long> m_total;
    bool m_enabled;
    bool m_drawn = false;
    Clock::time_point m_started, m_last{};
};

// Makes room for `concurrency` probe sockets: the soft RLIMIT_NOFILE is raised to the hard
// one (any process may), and with CAP_SYS_RESOURCE the hard one too. Process-wide, so it is
// done here and not in scan/, which only says how many descriptors are needed.
Result<void> ensure_fd_limit(int concurrency) {
    const auto needed = static_cast<rlim_t>(scan::fds_needed(concurrency));
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return fail(ErrorCode::io, "getrlimit(RLIMIT_NOFILE) failed");
    if (limit.rlim_cur >= needed) return {};
    if (limit.rlim_max >= needed) {
        rlimit raised{limit.rlim_max, limit.rlim_max};
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return {};
    }
    rlimit both{needed, std::max(needed, limit.rlim_max)};
    if (::setrlimit(RLIMIT_NOFILE, &both) == 0) return {};
    return tl::unexpected(scan::fd_limit_error(concurrency, static_cast<long>(limit.rlim_max)));
}

scan::ScanOptions make_options(const ScanArgs& a) {
    scan::ScanOptions o;
    o.trials = a.trials;
    o.control_trials = a.control_trials;
    o.timeout_ms = a.timeout_ms;
    o.concurrency = a.concurrency;
    o.per_address = a.per_address;
    o.rate = a.rate;
    o.depth = a.full ? HandshakeDepth::complete : HandshakeDepth::server_hello;
    o.quic = a.quic;
    if (a.hello_shape == "ssl") {
        o.hello_shape.reset();
    } else {
        o.hello_shape = forge::shape_from_name(a.hello_shape);
        if (!o.hello_shape)
            throw usage_error("--hello-shape: '" + a.hello_shape +
                              "' is not openssl, chrome, firefox, minimal or ssl");
    }
    if (!a.control_sni.empty()) {
        auto control = parse_target(a.control_sni, 443);
        if (!control || control->sni.empty())
            throw usage_error("--control-sni: '" + a.control_sni + "' is not a host name");
        o.control_sni = control->sni;
    }
    return o;
}

int run_scan_command(const ScanArgs& a) {
    if (a.names_file.empty() == a.targets_file.empty())
        throw usage_error("scan: give exactly one of --names FILE or --targets FILE");
    if (a.resume && a.output.empty())
        throw usage_error("--resume needs --output FILE (the file to continue)");
    const bool names = !a.names_file.empty();
    const std::string& input_path = names ? a.names_file : a.targets_file;

    scan::TargetDefaults defaults;
    defaults.port = static_cast<uint16_t>(a.port);
    if (!a.ip.empty()) {
        auto ip = parse_ip_literal(a.ip);
        if (!ip) throw usage_error("--ip: " + ip.error().message);
        defaults.ip = *ip;
    }
    const scan::ScanOptions options = make_options(a);
    if (auto limit = ensure_fd_limit(options.concurrency); !limit) throw Fatal(limit.error());

    auto reader = scan::TargetReader::open(
        input_path, names ? scan::InputFormat::names : scan::InputFormat::targets, defaults);
    if (!reader) throw usage_error((names ? "--names: " : "--targets: ") + reader.error().message);

    // Output: stdout, a new file, or the file being resumed (partial last line cut off).
    scan::ResumeState resume;
    if (a.resume) {
        auto state = scan::load_resume_state(a.output);
        if (!state) throw Fatal(state.error());
        resume = std::move(*state);
        if (resume.partial_last_line)
            if (auto cut = scan::truncate_output(a.output, resume.complete_bytes); !cut)
                throw Fatal(cut.error());
    }
    std::ofstream file;
    if (!a.output.empty()) {
        file.open(a.output, a.resume ? std::ios::app : std::ios::trunc);
        if (!file) throw Fatal(ErrorCode::io, "--output: cannot write '" + a.output + "'");
    }
    std::ostream& out = a.output.empty() ? std::cout : file;

    std::optional<long> total = scan::count_input_lines(input_path);
    if (total && a.resume) *total = std::max(0L, *total - static_cast<long>(resume.done.size()));
    ScanProgress progress(total, !a.quiet);

    long malformed = 0, skipped_done = 0;
    const std::string input_name = input_path == "-" ? "stdin" : input_path;
    scan::TargetSource source = [&]() -> std::optional<scan::ScanTarget> {
        while (true) {
            scan::ReadItem item = reader->next();
            if (item.kind == scan::ReadItem::Kind::end) return std::nullopt;
            if (item.kind == scan::ReadItem::Kind::malformed) {
                ++malformed;
                progress.clear();
                fmt::print(stderr, "sniprobe: {}:{}: {} (line skipped)\n", input_name, item.line,
                           item.message);
                continue;
            }
            if (a.resume && resume.done.contains(
                                scan::resume_key(item.target.host, item.target.port,
                                                 item.target.ip_given ? item.target.ip : ""))) {
                ++skipped_done;
                continue;
            }
            return std::move(item.target);
        }
    };

    // Every complete line is a finished target for --resume. Lines are flushed at most
    // 100 ms after they are written (and at the end, interrupted or not), not one write()
    // per line: at thousands of targets a second that system call cost as much as a probe.
    // A killed run loses at most those 100 ms of lines, which --resume probes again.
    long written = 0;
    auto last_flush = std::chrono::steady_clock::now();
    scan::RecordSink sink = [&](const scan::ScanRecord& record) {
        scan::write_record(out, record);
        const auto now = std::chrono::steady_clock::now();
        if (now - last_flush >= std::chrono::milliseconds(100)) {
            out.flush();
            last_flush = now;
        }
        progress.update(++written);
    };

    scan::ScanStats stats = scan::run_scan(source, options, sink);
    out.flush();
    progress.clear();
    if (!out) throw Fatal(ErrorCode::io, "writing the scan results failed (disk full?)");

    // Summary: counts per cause, on stderr.
    std::string causes;
    for (const auto& [cause, count] : stats.causes)
        causes += fmt::format("{}{} {}", causes.empty() ? "" : ", ", cause, count);
    std::string extra;
    if (malformed > 0)
        extra += fmt::format("; {} malformed line{} skipped", malformed, malformed == 1 ? "" : "s");
    if (a.resume) extra += fmt::format("; {} already done (--resume)", skipped_done);
    if (stats.interrupted)
        extra += "; interrupted: targets in flight were not written (use --resume)";
    fmt::print(
        stderr, "scan: {} targets in {:.1f} s ({:.0f}/s, {} probes, {} control sets): {}{}\n",
        stats.targets, stats.elapsed_s,
        stats.elapsed_s > 0 ? static_cast<double>(stats.targets) / stats.elapsed_s : 0.0,
        stats.trials, stats.control_sets, causes.empty() ? "nothing scanned" : causes, extra);

    if (stats.interrupted) return 128 + interrupt_signal();
    if (stats.targets == 0) return skipped_done > 0 ? 0 : 3;  // all done before, or nothing to scan
    bool all_ok = stats.causes.size() == 1 && stats.causes.count("ok") == 1;
    return all_ok ? 0 : 1;
}

}  // namespace

void register_scan(CLI::App& app) {
    auto args = std::make_shared<ScanArgs>();
    auto* cmd = app.add_subcommand(
        "scan", "Probe many names or addresses at once (ClientHello probes, JSON Lines out)");
    set_long_help(
        cmd,
        "Probe many names or addresses at once, JSON Lines out.\n\n"
        "Each target gets a few ClientHello probes with its name (stopping at the ServerHello,\n"
        "an alert, a reset or the timeout; --full completes the handshake); each address gets\n"
        "one shared set of controls (no SNI and an unrelated name). Every target is judged by\n"
        "diagnose's verdict rules and written as one line: host, ip, port, failures, counts\n"
        "per variant, verdict. Names the scan flags are worth a `sniprobe diagnose`.\n\n"
        "--quic adds QUIC Initial probes: quic_sni per target (--trials of them) and, per\n"
        "address, quic_control, quic_no_sni and quic_version_ping (3 each), a batch of them\n"
        "sent within 50 ms. Their counts join the same line's variants, and the verdict can\n"
        "then be quic_sni_block or quic_protocol_block. Targets are written a chunk at a\n"
        "time (TCP first, then QUIC). No +1 s/+3 s follow-ups: diagnose --quic has them.\n\n"
        "Examples:\n"
        "  sniprobe scan --ip 192.0.2.10 --names names.txt --output scan.jsonl\n"
        "  sniprobe scan --targets targets.csv --rate 500 --output scan.jsonl --resume\n"
        "  sniprobe scan --quic --ip 192.0.2.10 --names names.txt --output scan.jsonl\n");
    cmd->add_option("--names", args->names_file,
                    "a file with one host name per line ('-' = stdin)");
    cmd->add_option("--targets", args->targets_file,
                    "a file with one host[,ip[,port]] per line ('-' = stdin)");
    cmd->add_option("--ip", args->ip,
                    "the address to probe for lines without one (default: resolve each name)");
    cmd->add_option("--port", args->port, "the port for lines without one")
        ->check(CLI::Range(1, 65535))
        ->capture_default_str();
    cmd->add_option("-o,--output", args->output, "write JSON Lines here instead of stdout");
    cmd->add_flag("--resume", args->resume, "skip targets already in --output and append the rest");
    cmd->add_option("--trials", args->trials, "probes per target")
        ->check(CLI::Range(1, 50))
        ->capture_default_str();
    cmd->add_option("--control-trials", args->control_trials,
                    "probes per control variant per address")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    add_control_sni_option(cmd, args->control_sni);
    add_timeout_option(cmd, args->timeout_ms);
    cmd->add_option("--concurrency", args->concurrency, "connections in flight at once")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--per-address", args->per_address,
                    "connections in flight to one address (ip, port) at most")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--rate", args->rate,
                    "new connections per second (0 = as fast as slots free up)")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    cmd->add_flag("--full", args->full,
                  "complete every handshake instead of stopping at the ServerHello");
    cmd->add_flag("--quic", args->quic,
                  "also probe each name over QUIC (UDP Initials) with per-address QUIC controls");
    cmd->add_option(
           "--hello-shape", args->hello_shape,
           "ClientHello probes send a forged hello of this shape (openssl, chrome, firefox, "
           "minimal), or OpenSSL's own (ssl)")
        ->capture_default_str();
    cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
    on_run(cmd, [args] { exit_status() = run_scan_command(*args); });
}

}  // namespace sniprobe::cli
