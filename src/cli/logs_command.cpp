// `sniprobe logs FILE...`: the server's side of a failing handshake. Reads nginx/OpenResty
// error logs (plain, rotated .gz, or "-" for stdin), classifies every TLS handshake failure
// and says which class dominates and who is hit. The quirk it explains to users: nginx logs
// a middlebox's reset as the *client's* ("peer closed connection in SSL handshake (104:
// Connection reset by peer)"), so a server log full of client resets next to a client that
// blames the server means neither sent them. Exit 0 when read, 2 on bad usage, 3 when an
// input cannot be read (or stopped early: the summary of what was read is still printed).
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "logs/read_logs.hpp"
#include "logs/render.hpp"
#include "util/result.hpp"

namespace sniprobe::cli {
namespace {

struct LogsArgs {
    std::vector<std::string> files;
    bool json = false;
    std::string client;
    std::string since;
    std::string until;
    std::string bucket = "minute";
    std::size_t top = 20;
    std::size_t max_clients = 4096;
};

std::optional<int64_t> time_option(const std::string& text, const char* name) {
    if (text.empty()) return std::nullopt;
    auto t = logs::parse_time(text);
    if (!t)
        throw usage_error(
            fmt::format("logs: {} wants a time as nginx writes it, \"2026/11/27 14:53\" or "
                        "\"2026-11-27T14:53:02\"; got \"{}\"",
                        name, text));
    return t;
}

void run_logs(const LogsArgs& a) {
    logs::AggregateOptions options;
    options.client = a.client;
    if (options.client.size() > 2 && options.client.front() == '[' &&
        options.client.back() == ']') {
        options.client = options.client.substr(
            1, options.client.size() - 2);  // [fd77:1::2] as nginx omits brackets
    }
    options.since_s = time_option(a.since, "--since");
    options.until_s = time_option(a.until, "--until");
    if (options.since_s && options.until_s && *options.until_s <= *options.since_s) {
        throw usage_error("logs: --until must be later than --since");
    }
    options.bucket_s = a.bucket == "hour" ? 3600 : 60;
    options.max_clients = std::max<std::size_t>(a.max_clients, a.top);

    auto summary = logs::read_logs(a.files, options);
    if (!summary) throw Fatal(with_context("logs: ", summary.error()));
    if (a.json) {
        logs::write_json(std::cout, *summary, a.top);
    } else {
        logs::TextOptions text;
        text.top_clients = a.top;
        logs::write_text(std::cout, *summary, text);
    }
    std::cout.flush();
    for (const auto& in : summary->inputs) {
        if (in.error) {
            fmt::print(stderr, "sniprobe: logs: {}; the summary covers the lines before it\n",
                       logs::printable(*in.error));
            exit_status() = 3;
        }
    }
}

}  // namespace

void register_logs(CLI::App& app) {
    auto args = std::make_shared<LogsArgs>();
    CLI::App* cmd = app.add_subcommand(
        "logs",
        "Explain the TLS handshake failures in nginx/OpenResty error logs, per class and client");
    set_long_help(
        cmd,
        "Read nginx/OpenResty error logs and explain the TLS handshake failures in them, per "
        "class\n"
        "and per client. nginx writes these at level info (`error_log FILE info;`). Rotated .gz "
        "files\n"
        "are read as they are; \"-\" reads stdin. Memory stays constant for logs of any size.");
    cmd->add_option("FILE", args->files, "error log files (.gz too); - for stdin")->required();
    add_json_flag(cmd, args->json, "docs/logs-json.md");
    cmd->add_option("--client", args->client, "only lines from this client address");
    cmd->add_option("--since", args->since,
                    "only entries at or after this local time (2026/11/27 14:00)");
    cmd->add_option("--until", args->until, "only entries before this local time");
    cmd->add_option("--bucket", args->bucket,
                    "time bucket: minute or hour (widened when a log spans long)")
        ->check(CLI::IsMember({"minute", "hour"}));
    cmd->add_option("--top", args->top, "client rows shown (default 20)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--max-clients", args->max_clients,
                    "clients tracked exactly before counts become bounds (default 4096)")
        ->check(CLI::Range(1, 1000000));
    on_run(cmd, [args] { run_logs(*args); });
}

}  // namespace sniprobe::cli
