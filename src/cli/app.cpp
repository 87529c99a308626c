// The command-line front door: builds the CLI11 app from every command's registration,
// maps errors to exit statuses (2 usage, 3 could not run, 128+N on a signal) and prints
// a Fatal as one line that says what to do.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "util/interrupt.hpp"
#include "util/result.hpp"

namespace sniprobe::cli {

int& exit_status() {
    static int status = 0;
    return status;
}

int run(int argc, char** argv) {
    CLI::App app{
        "sniprobe: who is resetting my TLS handshake, and why?\n\n"
        "Differential TLS probes, packet forensics and a lab that reproduces middlebox\n"
        "interference. Start with `sniprobe diagnose HOST`; `sniprobe lab up` builds a\n"
        "network of namespaces to try it on.",
        "sniprobe"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "sniprobe 0.1.0");
    app.footer("Exit status: 0 ok, 1 a problem was found, 2 usage error, 3 could not run.");
    register_middlebox(app);
    register_lab(app);
    register_trace(app);
    register_diagnose(app);
    register_sink(app);
    register_logs(app);
    register_scan(app);
    register_report(app);


    install_interrupt_handler();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    } catch (const Fatal& e) {
        std::fprintf(stderr, "sniprobe: %s\n", e.what());
        return e.code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sniprobe: internal error: %s\n", e.what());
        return 3;
    }
    if (interrupted()) return 128 + interrupt_signal();
    return exit_status();
}

}  // namespace sniprobe::cli
