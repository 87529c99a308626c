// Each sub-command registers itself on the CLI11 app from its own file in cli/
// (diagnose_command.cpp, lab_command.cpp, ...). A registration adds the options and, with
// `on_run`, the body that does the work; parsing only picks the body, cli/app.cpp runs it.
// A body sets the exit status through `exit_status` and reports failures by throwing a
// Fatal, whose code cli/app.cpp maps to the exit status.
#pragma once

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace sniprobe::cli {

// Where a command's body stores the process exit status (0 when untouched).
int& exit_status();

// Makes `body` the command to run when `cmd` is the sub-command given on the command line.
void on_run(CLI::App* cmd, std::function<void()> body);

// The text `sniprobe CMD --help` shows above the options; the top-level help lists each
// sub-command with its one-line description only.
void set_long_help(CLI::App* cmd, std::string text);

void register_lab(CLI::App& app);
void register_middlebox(CLI::App& app);
void register_diagnose(CLI::App& app);
void register_logs(CLI::App& app);
void register_trace(CLI::App& app);
void register_sink(CLI::App& app);
void register_scan(CLI::App& app);
void register_report(CLI::App& app);
void register_analyze(CLI::App& app);

}  // namespace sniprobe::cli
