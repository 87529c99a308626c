// The command line's two steps, apart so each can be tested: reading argv (which picks a
// sub-command, or settles the exit status at once for --help, --version and bad
// arguments) and running the picked command. Exit statuses are decided here and only
// here: 0 ok, 1 a problem was found, 2 usage error, 3 could not run, 128+N on signal N.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace CLI {
class App;
}

namespace sniprobe::cli {

inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_could_not_run = 3;

// The exit status for a failure of this kind: 2 for usage, 3 for everything else.
int exit_status_for(ErrorCode code);

// What reading argv decided: stop now with `exit_status` (the text is printed), or run
// `command`, which returns the exit status.
struct Parsed {
    std::optional<int> exit_status;
    std::function<int()> command;
};

// The sniprobe command line: every sub-command registered on one CLI11 app.
class CommandLine {
  public:
    CommandLine();
    ~CommandLine();
    CommandLine(const CommandLine&) = delete;
    CommandLine& operator=(const CommandLine&) = delete;

    // Reads argv without running anything; help goes to `out`, errors to `err`.
    Parsed parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

    // The app, for inspecting sub-commands and options.
    CLI::App& app();

  private:
    std::unique_ptr<CLI::App> m_app;
};

// The name in `names` a mistyped `word` most likely meant, or "" when none is close.
std::string suggest_command(std::string_view word, const std::vector<std::string>& names);

// Runs a parsed command: a Fatal it throws is printed as one line on `err` and becomes
// the exit status for its code; a stop signal becomes 128+N.
int run_command(const std::function<int()>& command, std::ostream& err);

// Parses argv, runs the chosen command, returns the process exit status.
int run(int argc, char** argv);

}  // namespace sniprobe::cli
