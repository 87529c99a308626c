// `sniprobe middlebox`: the lab's DPI emulator. Reads a rules file (or a shipped
// profile), binds an NFQUEUE queue in the current network namespace and forges RSTs,
// FINs and block pages per the rules until SIGTERM. `--check` only parses and
// summarises the rules (no root needed), so a lab scenario's rules file can be vetted.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>

#include "cli/commands.hpp"
#include "middlebox/nfqueue_runner.hpp"
#include "middlebox/profiles.hpp"
#include "middlebox/rules.hpp"
#include "util/result.hpp"

namespace sniprobe::cli {
namespace {

struct MiddleboxArgs {
    std::string rules_file;
    std::string profile;
    uint16_t queue = 0;
    uint64_t seed = 0;
    bool seed_given = false;
    size_t max_flows = 65536;
    bool fail_closed = false;
    bool check = false;
    bool list_profiles = false;
};

void print_summary(const middlebox::Rules& rules) {
    fmt::print("{}: {} rule{}\n", rules.origin, rules.rules.size(),
               rules.rules.size() == 1 ? "" : "s");
    for (const auto& r : rules.rules) {
        std::string ports;
        for (auto p : r.ports) ports += (ports.empty() ? "" : ",") + std::to_string(p);
        fmt::print("  {}: {} {}{}{} -> {} p={:.2f} {} delay={}ms residual={}s count={} ttl={}\n",
                   r.name, middlebox::match_kind_name(r.match), r.pattern,
                   ports.empty() ? "" : " ports=", ports, middlebox::action_name(r.action),
                   r.probability, middlebox::mode_name(r.mode), r.delay_ms, r.residual_seconds,
                   r.fingerprint.count, unsigned{r.fingerprint.ttl});
    }
}

void run_middlebox(const MiddleboxArgs& a) {
    if (a.list_profiles) {
        for (const auto& n : middlebox::profile_names()) fmt::print("{}\n", n);
        return;
    }
    if (a.rules_file.empty() == a.profile.empty())
        throw usage_error("middlebox: give exactly one of --rules FILE or --profile NAME");
    auto rules = a.rules_file.empty() ? middlebox::load_profile(a.profile)
                                      : middlebox::load_rules_file(a.rules_file);
    if (!rules) throw usage_error(rules.error().message);
    if (a.check) {
        print_summary(*rules);
        return;
    }
    middlebox::RunnerOptions options;
    options.queue_num = a.queue;
    options.fail_open = !a.fail_closed;
    options.engine.max_flows = a.max_flows;
    options.engine.seed =
        a.seed_given
            ? a.seed
            : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    auto r = middlebox::run_nfqueue(std::move(*rules), options);
    if (!r) throw Fatal(with_context("middlebox: ", r.error()));
}

}  // namespace

void register_middlebox(CLI::App& app) {
    auto args = std::make_shared<MiddleboxArgs>();
    CLI::App* cmd = app.add_subcommand(
        "middlebox",
        "The lab's DPI emulator: forges RSTs/FINs/block pages for flows matching a rules file");
    set_long_help(
        cmd,
        "The lab's DPI emulator: forges RSTs/FINs/block pages for flows matching a rules file.\n"
        "Run inside the middlebox router's namespace, behind an iptables-nft NFQUEUE rule.\n"
        "Prints \"middlebox ready\" on stderr once bound; counters on SIGUSR1 and SIGTERM.");
    cmd->add_option("--rules", args->rules_file,
                    "rules file (TOML; see src/middlebox/profiles/*.toml)");
    cmd->add_option("--profile", args->profile,
                    "a shipped profile instead of a file (--list-profiles)");
    cmd->add_option("--queue", args->queue, "NFQUEUE number (default 0)");
    cmd->add_option("--seed", args->seed,
                    "RNG seed for probabilities and random IP IDs (default: clock)")
        ->each([args](const std::string&) { args->seed_given = true; });
    cmd->add_option("--max-flows", args->max_flows,
                    "flows tracked before the oldest is evicted (default 65536)")
        ->check(CLI::Range(size_t{1}, size_t{10000000}));
    cmd->add_flag("--fail-closed", args->fail_closed,
                  "drop packets when the queue is full (default: let them pass)");
    cmd->add_flag("--check", args->check, "parse the rules, print a summary and exit");
    cmd->add_flag("--list-profiles", args->list_profiles,
                  "print the shipped profile names and exit");
    on_run(cmd, [args] {
        run_middlebox(*args);
        exit_status() = 0;
    });
}

}  // namespace sniprobe::cli
