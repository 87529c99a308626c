// Each sub-command registers itself on the CLI11 app from its own file in cli/
// (diagnose_command.cpp, lab_command.cpp, ...). A registration adds the options and a
// callback that does the work and returns the exit status through `exit_status`.
#pragma once

namespace CLI {
class App;
}

namespace sniprobe::cli {

// Where a command's callback stores the process exit status (0 when untouched).
int& exit_status();

void register_lab(CLI::App& app);
void register_middlebox(CLI::App& app);
void register_diagnose(CLI::App& app);
void register_logs(CLI::App& app);
void register_trace(CLI::App& app);
void register_sink(CLI::App& app);
void register_scan(CLI::App& app);
void register_report(CLI::App& app);

// Parses argv, runs the chosen command, returns the process exit status.
int run(int argc, char** argv);

}  // namespace sniprobe::cli
