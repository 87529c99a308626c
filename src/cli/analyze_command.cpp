// `sniprobe analyze FILE...`: the verdict from captures the user already has (a Wireshark
// file from the laptop, a tcpdump from the server). Files are read as one capture, in
// order, streaming; each server name found in a ClientHello gets diagnose's verdict from
// the same rules, with the frame numbers that prove it.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "offline/analyze_captures.hpp"
#include "report/capture_text.hpp"
#include "report/html_report.hpp"
#include "report/json_report.hpp"

namespace sniprobe::cli {
namespace {

struct AnalyzeArgs {
    std::vector<std::string> files;
    bool json = false;
    bool verbose = false;
    std::string html;
};

int run_analyze(const AnalyzeArgs& a) {
    CaptureAnalysis c = offline::read_captures(a.files);
    if (c.anomalies.count("unreadable_file") &&
        c.anomalies.at("unreadable_file") == static_cast<int>(a.files.size()))
        throw usage_error(c.notes.empty() ? "no readable capture" : c.notes.front());
    offline::judge_captures(c);
    if (a.json) {
        write_capture_json(std::cout, c);
    } else {
        TextOptions text;
        const char* no_colour = std::getenv("NO_COLOR");
        const bool colour = ::isatty(STDOUT_FILENO) && (no_colour == nullptr || *no_colour == '\0');
        text.colour = colour ? Colour::on : Colour::off;
        text.detail = a.verbose ? Detail::full : Detail::summary;
        write_capture_text(std::cout, c, text);
    }
    std::cout.flush();
    if (!a.html.empty()) {
        if (c.names.size() != 1)
            throw usage_error("--html renders one name's verdict; the capture holds " +
                              std::to_string(c.names.size()));
        auto written = write_html_file(a.html, c.names.front().diagnosis);
        if (!written) throw Fatal(written.error());
    }
    if (c.names.empty()) return 3;
    for (const auto& n : c.names)
        if (n.diagnosis.verdict.cause != Cause::ok) return 1;
    return 0;
}

}  // namespace

void register_analyze(CLI::App& app) {
    auto args = std::make_shared<AnalyzeArgs>();
    auto* cmd = app.add_subcommand(
        "analyze", "Find out who reset the TLS handshakes in a capture you already have");
    set_long_help(
        cmd,
        "Find out who reset (or dropped) the TLS handshakes in a capture you already have:\n"
        "a Wireshark or tcpdump file from the client, the server, or a tap in between.\n\n"
        "Reads pcap and pcapng, gzip-compressed or not, any link type libpcap reads\n"
        "(Ethernet, Linux cooked SLL/SLL2, raw IP); several files are read as one capture,\n"
        "in order; - reads standard input. Follows every TCP flow to a TLS port (and any\n"
        "port that carries a ClientHello), works out which side the capture was taken on,\n"
        "and for each flow reports the SNI, the hello's shape and how it ended (completed,\n"
        "alert, RST and whose, FIN, silence). Each RST is judged against its sender's own\n"
        "SYN or SYN-ACK (TTL, IP ID, window, sequence, timing), as diagnose judges its own.\n"
        "Each server name then gets diagnose's verdict: the other names to the same address\n"
        "are its controls, and TTL-limited hellos (CenTrace-style) locate the hop.\n"
        "Frame numbers are Wireshark's: Go to packet (Ctrl-G) shows the proof.\n"
        "Memory stays bounded: beyond 2048 flows of one name and address, the verdict\n"
        "reads a uniform sample of 2048 (its notes say so); every flow is still listed\n"
        "(the text report shows 50 per name and each one with evidence, --json all).\n\n"
        "Exit status: 0 every name is fine, 1 a name has a problem, 3 no TLS handshake\n"
        "found, 2 bad input.\n\n"
        "Examples:\n"
        "  sniprobe analyze laptop.pcapng\n"
        "  sniprobe analyze server-side.pcap.gz --json > verdict.json\n"
        "  tcpdump -i eth0 -w - 'tcp port 443' | sniprobe analyze -\n");
    cmd->add_option("file", args->files, "capture files (pcap, pcapng, .gz; - for stdin)")
        ->required();
    add_json_flag(cmd, args->json, "docs/json.md (analyze)");
    cmd->add_flag("-v,--verbose", args->verbose, "print every RST finding with its reasons");
    cmd->add_option("--html", args->html,
                    "also write the verdict as one self-contained HTML page (one name only)");
    on_run(cmd, [args] { exit_status() = run_analyze(*args); });
}

}  // namespace sniprobe::cli
