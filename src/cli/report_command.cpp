// `sniprobe report FILE.json [--html OUT]`: renders a saved `diagnose --json` report
// again, as the terminal text or as the self-contained HTML page, without probing
// anything. The document is read with the JSON contract's own reader, so what it
// renders is exactly what diagnose would have printed for that run.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "report/html_report.hpp"
#include "report/json_report.hpp"
#include "report/text_report.hpp"
#include "util/result.hpp"

namespace sniprobe::cli {
namespace {

struct ReportArgs {
    std::string input;
    std::string html;
};

int run_report(const ReportArgs& a) {
    Result<Diagnosis> d = [&]() -> Result<Diagnosis> {
        if (a.input == "-") return read_json(std::cin);
        std::ifstream in(a.input, std::ios::binary);
        if (!in) return fail("cannot open " + a.input);
        return read_json(in);
    }();
    if (!d) throw usage_error(a.input + ": " + d.error().message);
    if (a.html.empty()) {
        write_text(std::cout, *d);
        std::cout.flush();
        return 0;
    }
    if (a.html == "-") {
        write_html(std::cout, *d);
        std::cout.flush();
        return 0;
    }
    auto written = write_html_file(a.html, *d);
    if (!written) throw Fatal(written.error());
    return 0;
}

}  // namespace

void register_report(CLI::App& app) {
    auto args = std::make_shared<ReportArgs>();
    auto* cmd =
        app.add_subcommand("report", "Render a saved diagnose --json report as text or HTML");
    set_long_help(cmd,
                  "Render a saved `diagnose --json` report again: as the terminal text, or with\n"
                  "--html as one self-contained page (packet ladders, intervals, evidence) to\n"
                  "attach to a ticket. Nothing is probed.\n\n"
                  "Examples:\n"
                  "  sniprobe report run.json\n"
                  "  sniprobe report run.json --html run.html\n");
    cmd->add_option("file", args->input,
                    "a report written by `sniprobe diagnose --json` (- for stdin)")
        ->required();
    cmd->add_option("--html", args->html, "write the HTML report to this file (- for stdout)");
    on_run(cmd, [args] { exit_status() = run_report(*args); });
}

}  // namespace sniprobe::cli
