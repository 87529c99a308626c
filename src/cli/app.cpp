// The command-line front door: builds the CLI11 app from every command's registration,
// reads argv (catching a mistyped sub-command before CLI11 does, with a suggestion), runs
// the chosen command and maps failures to exit statuses (2 usage, 3 could not run, 128+N
// on a signal) in exit_status_for, the one place that decides them. Process-wide settings
// live here, not in the stages: the interrupt handler, and SIGPIPE ignored (sockets and
// OpenSSL report a closed peer as EPIPE instead).
#include "cli/app.hpp"

#include <signal.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "util/interrupt.hpp"

namespace sniprobe::cli {
namespace {

// Prints a sub-command's long text in its own --help; lists keep the one-line descriptions.
class HelpFormatter : public CLI::Formatter {
  public:
    void set_long_help(const CLI::App* app, std::string text) { m_long[app] = std::move(text); }

    std::string make_description(const CLI::App* app) const override {
        auto it = m_long.find(app);
        if (it == m_long.end()) return CLI::Formatter::make_description(app);
        return it->second + (it->second.ends_with('\n') ? "\n" : "\n\n");
    }

  private:
    std::map<const CLI::App*, std::string> m_long;
};

std::function<int()>& chosen_command() {
    static std::function<int()> command;
    return command;
}

// Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`.
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min(
                {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// Letters `a` and `b` have in common, in order (longest common subsequence).
size_t common_letters(std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> l(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j)
            l[i][j] =
                a[i - 1] == b[j - 1] ? l[i - 1][j - 1] + 1 : std::max(l[i - 1][j], l[i][j - 1]);
    return l[a.size()][b.size()];
}

// The visible sub-command names of `app`.
std::vector<std::string> command_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({}))
        if (!sub->get_group().empty()) names.push_back(sub->get_name());
    return names;
}

// The first word on the command line that names no sub-command where one is expected,
// with the path of commands before it ("sniprobe", "sniprobe lab"), or nullopt.
struct Unknown {
    std::string word;
    std::string path;
    std::vector<std::string> names;
};
std::optional<Unknown> find_unknown_command(const CLI::App& app, int argc,
                                            const char* const* argv) {
    const CLI::App* current = &app;
    std::string path = app.get_name();
    for (int i = 1; i < argc; ++i) {
        std::string_view word = argv[i];
        if (word == "--") return std::nullopt;
        if (word.starts_with('-')) continue;  // a flag; the top levels take no option values
        const CLI::App* sub = nullptr;
        for (const CLI::App* candidate : current->get_subcommands({}))
            if (candidate->check_name(std::string(word))) sub = candidate;
        if (sub == nullptr) return Unknown{std::string(word), path, command_names(*current)};
        if (sub->get_subcommands({}).empty()) return std::nullopt;
        current = sub;
        path += " " + sub->get_name();
    }
    return std::nullopt;
}

}  // namespace

int& exit_status() {
    static int status = 0;
    return status;
}

void on_run(CLI::App* cmd, std::function<void()> body) {
    cmd->callback([body = std::move(body)] {
        chosen_command() = [body] {
            body();
            return exit_status();
        };
    });
}

void set_long_help(CLI::App* cmd, std::string text) {
    auto formatter = std::dynamic_pointer_cast<HelpFormatter>(cmd->get_formatter());
    if (formatter) formatter->set_long_help(cmd, std::move(text));
}

int exit_status_for(ErrorCode code) {
    return code == ErrorCode::usage ? k_exit_usage : k_exit_could_not_run;
}

std::string suggest_command(std::string_view word, const std::vector<std::string>& names) {
    std::string best;
    size_t best_distance = 0, best_common = 0;
    for (const auto& name : names) {
        size_t distance = edit_distance(word, name), common = common_letters(word, name);
        if (best.empty() || distance < best_distance ||
            (distance == best_distance && common > best_common)) {
            best = name;
            best_distance = distance;
            best_common = common;
        }
    }
    // Close in spelling, or sharing at least half the letters in order: else no guess.
    const bool close =
        best_distance <= std::max<size_t>(2, word.size() / 2) || 2 * best_common >= word.size();
    return close ? best : "";
}

CommandLine::CommandLine()
    : m_app(std::make_unique<CLI::App>(
          "sniprobe: who is resetting my TLS handshake, and why?\n\n"
          "Differential TLS probes, packet forensics and a lab that reproduces middlebox\n"
          "interference. Start with `sniprobe diagnose HOST`; `sniprobe lab up` builds a\n"
          "network of namespaces to try it on.",
          "sniprobe")) {
    CLI::App& app = *m_app;
    app.formatter(std::make_shared<HelpFormatter>());
    app.require_subcommand(1);
    app.set_version_flag("--version", "sniprobe 0.1.0");
    app.footer(
        "Exit status: 0 ok, 1 a problem was found, 2 usage error, 3 could not run.\n"
        "`sniprobe COMMAND --help` describes a command.");
    register_middlebox(app);
    register_lab(app);
    register_trace(app);
    register_diagnose(app);
    register_sink(app);
    register_logs(app);
    register_scan(app);
    register_report(app);
    register_analyze(app);
}

CommandLine::~CommandLine() = default;

CLI::App& CommandLine::app() {
    return *m_app;
}

Parsed CommandLine::parse(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    chosen_command() = nullptr;
    exit_status() = 0;
    if (auto unknown = find_unknown_command(*m_app, argc, argv)) {
        std::string suggestion = suggest_command(unknown->word, unknown->names);
        err << "sniprobe: unknown command '" << unknown->word << "'";
        if (!suggestion.empty())
            err << "; did you mean '" << suggestion << "'?";
        else
            err << "; see '" << unknown->path << " --help'";
        err << "\n";
        return {k_exit_usage, nullptr};
    }
    try {
        m_app->parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = m_app->exit(e, out, err);
        return {rc == 0 ? 0 : k_exit_usage, nullptr};
    }
    if (!chosen_command())
        return {0, nullptr};  // nothing chosen (cannot happen with require_subcommand)
    return {std::nullopt, chosen_command()};
}

int run_command(const std::function<int()>& command, std::ostream& err) {
    int status = 0;
    try {
        status = command();
    } catch (const Fatal& e) {
        err << "sniprobe: " << e.what() << "\n";
        return exit_status_for(e.code());
    } catch (const std::exception& e) {
        err << "sniprobe: internal error: " << e.what() << "\n";
        return k_exit_could_not_run;
    }
    if (interrupted()) return 128 + interrupt_signal();
    return status;
}

int run(int argc, char** argv) {
    install_interrupt_handler();
    ::signal(SIGPIPE, SIG_IGN);
    CommandLine command_line;
    Parsed parsed = command_line.parse(argc, argv, std::cout, std::cerr);
    if (parsed.exit_status) return *parsed.exit_status;
    return run_command(parsed.command, std::cerr);
}

}  // namespace sniprobe::cli
