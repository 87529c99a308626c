// `sniprobe lab up|down|status|exec`: the front door of the lab stage (src/lab/). The
// instance defaults to $SNIPROBE_LAB_INSTANCE so lab tests running side by side each
// get their own. `lab exec` replaces this process with `ip netns exec NS CMD...`, so the
// command's stdio and exit status pass through untouched. `lab supervise` is hidden: it
// is the long-lived process `up` starts to own nginx and the middlebox.
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "lab/lab.hpp"
#include "lab/netns.hpp"
#include "lab/supervisor.hpp"
#include "util/interrupt.hpp"
#include "util/result.hpp"

namespace sniprobe::cli {
namespace {

struct LabOptions {
    std::string instance;
    std::string profile = "seed";
    std::string rules_file;
    int middlebox_hop = 2;
    std::string server_reset_name;
    bool block_address = false;
    int path_mtu = 0;
    bool server_reset_large = false;
    int server_connlimit = 0;
    int server_limit_conn = 0;
    bool all = false;
    bool json = false;
    std::string node;
    std::vector<std::string> command;
    std::string state_dir;
    int ready_fd = -1;
};

lab::Instance instance_of(const LabOptions& o) {
    auto instance = lab::Instance::named(o.instance);
    if (!instance) throw usage_error(instance.error().message);
    return *instance;
}

CLI::Option* add_instance_option(CLI::App* cmd, LabOptions& o) {
    return cmd->add_option("--instance", o.instance, "lab instance name (several labs can coexist)")
        ->envname("SNIPROBE_LAB_INSTANCE");
}

void run_up(const LabOptions& o) {
    lab::LabConfig config;
    config.instance = instance_of(o);
    config.profile = o.profile;
    config.rules_file = o.rules_file;
    config.middlebox_hop = o.middlebox_hop;
    config.server_reset_name = o.server_reset_name;
    config.block_address = o.block_address ? lab::BlockAddress::yes : lab::BlockAddress::no;
    config.path_mtu = o.path_mtu;
    config.server_reset_large = o.server_reset_large;
    config.server_connlimit = o.server_connlimit;
    config.server_limit_conn = o.server_limit_conn;
    // Only the readiness pipe may reach the long-lived supervisor `up` starts: an inherited
    // descriptor (a test harness's output pipe) would keep its reader waiting forever.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    auto report = lab::up(config);
    if (!report) {
        if (interrupted()) {
            fmt::print(stderr, "sniprobe: lab up interrupted; everything it built was removed\n");
            return;
        }
        // Bad options and missing privileges are refused before anything is built.
        const ErrorCode code = report.error().code;
        if (code == ErrorCode::usage || code == ErrorCode::permission) throw Fatal(report.error());
        Error error = with_context("lab up failed: ", report.error());
        error.message += " (nothing was left behind)";
        throw Fatal(error);
    }
    if (report->outcome == lab::UpOutcome::already_up)
        fmt::print("lab instance {} is already up with this configuration\n",
                   config.instance.display_name());
    else
        fmt::print("lab up in {:.2f} s\n", report->seconds);
    fmt::print("{}", lab::status_text(report->status));
}

void require_lab_privileges() {
    if (auto allowed = lab::require_lab_privileges(); !allowed) throw Fatal(allowed.error());
}

void run_down(const LabOptions& o) {
    require_lab_privileges();
    if (o.all) {
        if (auto done = lab::down_all(); !done) throw Fatal(done.error());
        fmt::print("every sniprobe lab instance is down\n");
        return;
    }
    auto instance = instance_of(o);
    if (auto done = lab::down(instance); !done) throw Fatal(done.error());
    fmt::print("lab instance {} is down\n", instance.display_name());
}

void run_status(const LabOptions& o) {
    auto s = lab::status(instance_of(o));
    fmt::print("{}", o.json ? lab::status_json(s) : lab::status_text(s));
    exit_status() = s.up ? 0 : 3;
}

[[noreturn]] void run_exec(const LabOptions& o) {
    require_lab_privileges();
    lab::ensure_sbin_in_path();
    auto argv = lab::exec_argv(instance_of(o), o.node, o.command);
    if (!argv) throw Fatal(argv.error());
    std::vector<char*> args;
    for (auto& a : *argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::fflush(stdout);
    // The command gets the default dispositions, not our interrupt handling.
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
    ::execvp(args[0], args.data());
    throw Fatal(ErrorCode::io, fmt::format("cannot run ip netns exec: {}", std::strerror(errno)));
}

}  // namespace

void register_lab(CLI::App& app) {
    auto o = std::make_shared<LabOptions>();
    auto* lab = app.add_subcommand(
        "lab", "a lab of network namespaces: client, routers (one a middlebox), nginx server");
    lab->require_subcommand(1);

    auto* up = lab->add_subcommand(
        "up", "build the lab: namespaces, certificates, nginx, the middlebox emulator");
    auto* profile = up->add_option("--profile", o->profile,
                                   "middlebox profile (seed, gfw, drop, clean, fin, p30, address, "
                                   "http, first_segment) or none")
                        ->capture_default_str();
    up->add_option("--rules", o->rules_file, "middlebox rules file (TOML) instead of a profile")
        ->check(CLI::ExistingFile)
        ->excludes(profile);
    add_instance_option(up, *o);
    up->add_option("--middlebox-hop", o->middlebox_hop, "router that runs the middlebox (1..3)")
        ->check(CLI::Range(1, 3))
        ->capture_default_str();
    up->add_option("--server-reset", o->server_reset_name,
                   "the server's own kernel resets handshakes containing this name");
    up->add_flag("--block-address", o->block_address,
                 "the middlebox router drops all TCP to the server's port 443");
    up->add_option("--path-mtu", o->path_mtu,
                   "a path MTU black hole: the r1-r2 link gets this MTU and the routers drop "
                   "ICMP fragmentation needed (1280..1499)")
        ->check(CLI::Range(1280, 1499));
    up->add_flag("--server-reset-large", o->server_reset_large,
                 "the server resets TCP segments of 1400+ bytes: ClientHellos spanning two "
                 "segments fail whatever the name");
    up->add_option("--server-connlimit", o->server_connlimit,
                   "a busy server: it resets a client's connections to 443 beyond this many at "
                   "once (1..64)")
        ->check(CLI::Range(1, 64));
    up->add_option("--server-limit-conn", o->server_limit_conn,
                   "a busy server, nginx's way: limit_conn on 443 closes a client's connections "
                   "beyond this many at once, before the handshake (1..64)")
        ->check(CLI::Range(1, 64));
    on_run(up, [o] { run_up(*o); });

    auto* down = lab->add_subcommand(
        "down", "remove the lab and everything it left (harmless when nothing is up)");
    auto* instance = add_instance_option(down, *o);
    down->add_flag("--all", o->all, "remove every lab instance on this machine")
        ->excludes(instance);
    on_run(down, [o] { run_down(*o); });

    auto* status = lab->add_subcommand(
        "status", "nodes, addresses, CA file, active rules, processes (exit 3 if not up)");
    add_instance_option(status, *o);
    add_json_flag(status, o->json);
    on_run(status, [o] { run_status(*o); });

    auto* exec =
        lab->add_subcommand("exec", "run a command inside a lab node: lab exec NODE -- CMD...");
    add_instance_option(exec, *o);
    exec->add_option("node", o->node, "client, r1, r2, r3 or server")->required();
    exec->add_option("command", o->command, "the command and its arguments (after --)")->required();
    on_run(exec, [o] { run_exec(*o); });

    auto* supervise = lab->add_subcommand("supervise", "");
    supervise->group("");  // hidden: started by `lab up`
    supervise->add_option("--state-dir", o->state_dir)->required();
    supervise->add_option("--ready-fd", o->ready_fd);
    on_run(supervise, [o] {
        ::signal(SIGHUP, SIG_IGN);  // SIGTERM/SIGINT stop the lab, a closed terminal does not
        exit_status() = lab::run_supervisor(o->state_dir, o->ready_fd);
    });
}

}  // namespace sniprobe::cli
