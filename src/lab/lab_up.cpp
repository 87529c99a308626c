// `lab up`: the build as a list of steps, checked for Ctrl-C between each one; any
// failure or interrupt tears the instance down again, so an aborted `up` leaves
// nothing behind. The last step starts the supervisor (which owns nginx and the
// middlebox) and waits on its readiness pipe — a readiness check with a deadline, never
// a sleep — then proves the path client -> server routes through every router.
// One `up` at a time per instance: it holds an flock on /run/sniprobe-lab-<instance>.lock
// from start to end, and a second `up` refuses at once instead of building the same
// namespaces over the first one's.
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/core.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "lab/firewall.hpp"
#include "lab/lab.hpp"
#include "lab/netns.hpp"
#include "lab/nginx_config.hpp"
#include "lab/pki.hpp"
#include "lab/state.hpp"
#include "lab/supervisor.hpp"
#include "lab/topology.hpp"
#include "middlebox/profiles.hpp"
#include "middlebox/rules.hpp"
#include "util/clock.hpp"
#include "util/fd.hpp"
#include "util/interrupt.hpp"
#include "util/subprocess.hpp"

namespace sniprobe::lab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int k_supervisor_ready_timeout_ms = k_ready_timeout_ms + 5'000;
constexpr int k_path_check_timeout_ms = 3'000;

// The rules text and where it came from.
struct RulesChoice {
    std::string text;    // "" when no middlebox runs (unused then)
    std::string origin;  // "profile:seed" or the file path
};

// The rules to run, or a usage error (unknown profile, unreadable or broken rules file).
Result<RulesChoice> choose_rules(const LabConfig& config) {
    RulesChoice choice;
    if (!config.rules_file.empty()) {
        auto text = read_text_file(config.rules_file);
        if (!text)
            return fail(ErrorCode::usage, "cannot read the rules file: " + text.error().message);
        choice = {*text, config.rules_file};
    } else if (config.profile != k_no_middlebox) {
        auto text = middlebox::profile_text(config.profile);
        if (!text) {
            std::string known;
            for (const auto& name : middlebox::profile_names())
                known += (known.empty() ? "" : ", ") + name;
            return fail(ErrorCode::usage,
                        fmt::format("unknown middlebox profile '{}' (known: {}, none)",
                                    config.profile, known));
        }
        choice = {*text, "profile:" + config.profile};
    } else {
        return choice;
    }
    // Reject a broken rules file now, with the middlebox's own file/line message,
    // instead of after the network is built.
    if (auto rules = middlebox::parse_rules(choice.text, choice.origin); !rules)
        return fail(ErrorCode::usage, rules.error().message);
    return choice;
}

// A usage error for options `up` cannot build a lab from.
Result<void> validate_options(const LabConfig& config) {
    const std::string& name = config.server_reset_name;
    if (name.size() > 255)
        return fail(ErrorCode::usage, "--server-reset: the name is longer than 255 bytes");
    for (char c : name)
        if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f)
            return fail(ErrorCode::usage,
                        "--server-reset: the name must not contain spaces or control characters");
    if (auto topology = plan_topology(config.middlebox_hop); !topology)
        return fail(ErrorCode::usage, topology.error().message);
    return {};
}

LabState state_for(const LabConfig& config, const std::string& state_dir,
                   const std::string& self_exe) {
    LabState s;
    s.instance = config.instance.name();
    s.middlebox_hop = config.middlebox_hop;
    s.profile = config.rules_file.empty() ? config.profile : "";
    s.rules_source = config.rules_file.empty() ? "" : fs::absolute(config.rules_file).string();
    s.rules_file = config.runs_middlebox() ? state_dir + "/" + k_rules_file : "";
    s.server_reset_name = config.server_reset_name;
    s.block_address = config.block_address == BlockAddress::yes;
    s.path_mtu = config.path_mtu;
    s.server_reset_large = config.server_reset_large;
    s.server_connlimit = config.server_connlimit;
    s.server_limit_conn = config.server_limit_conn;
    s.ca_file = state_dir + "/" + k_pki_dir + "/ca.pem";
    s.self_exe = self_exe;
    return s;
}

// True when the running lab was built from the same configuration and rules.
bool same_lab(const LabStatus& running, const LabState& wanted, const RulesChoice& rules) {
    if (running.middlebox_hop != wanted.middlebox_hop || running.profile != wanted.profile ||
        running.rules_source != wanted.rules_source ||
        running.server_reset_name != wanted.server_reset_name ||
        running.block_address != wanted.block_address || running.path_mtu != wanted.path_mtu ||
        running.server_reset_large != wanted.server_reset_large ||
        running.server_connlimit != wanted.server_connlimit ||
        running.server_limit_conn != wanted.server_limit_conn ||
        running.rules_file.empty() != wanted.rules_file.empty())
        return false;
    if (running.rules_file.empty()) return true;
    auto text = read_text_file(running.rules_file);
    return text && *text == rules.text;
}

constexpr int k_lock_attempts = 3;  // only lost to an `up` that finished and removed the file

// Holds the instance's `up` lock; removes the lock file when done. The file is unlinked
// while locked, so a later `up` that opened the old file checks the inode it locked is
// still the one at the path, and retries on a fresh file otherwise.
class UpLock {
  public:
    static Result<UpLock> acquire(const Instance& instance) {
        const std::string path = instance.state_dir() + ".lock";
        for (int attempt = 0; attempt < k_lock_attempts; ++attempt) {
            Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
            if (!fd) return fail("cannot open " + path + ": " + std::strerror(errno));
            if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
                if (errno != EWOULDBLOCK)
                    return fail("cannot lock " + path + ": " + std::strerror(errno));
                return fail(fmt::format(
                    "another 'sniprobe lab up' is building lab instance '{}' (it holds {}); "
                    "wait for it to finish, then check with 'sniprobe lab status'",
                    instance.display_name(), path));
            }
            struct stat held {};
            struct stat now {};
            if (::fstat(fd.get(), &held) == 0 && ::stat(path.c_str(), &now) == 0 &&
                held.st_dev == now.st_dev && held.st_ino == now.st_ino)
                return UpLock(std::move(fd), path);
        }
        return fail("cannot lock " + path + ": it keeps being replaced");
    }
    UpLock(UpLock&&) = default;
    UpLock& operator=(UpLock&&) = delete;
    UpLock(const UpLock&) = delete;
    UpLock& operator=(const UpLock&) = delete;
    ~UpLock() {
        if (m_fd) ::unlink(m_path.c_str());
    }

  private:
    UpLock(Fd fd, std::string path) : m_fd(std::move(fd)), m_path(std::move(path)) {}
    Fd m_fd;
    std::string m_path;
};

Result<void> write_batch_and_run(const std::string& path, const std::vector<std::string>& lines,
                                 std::vector<std::string> argv) {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    if (auto w = write_text_file(path, text); !w) return w;
    argv.push_back("-batch");
    argv.push_back(path);
    auto out = run_checked(argv);
    if (!out) return tl::unexpected(out.error());
    return {};
}

Result<void> build_network(const Instance& instance, const Topology& topology,
                           const std::string& dir) {
    if (auto r =
            write_batch_and_run(dir + "/net-root.batch", root_batch(topology, instance), {"ip"});
        !r)
        return r;
    for (const auto& node : topology.nodes)
        if (auto r =
                write_batch_and_run(dir + "/net-" + node + ".batch", node_batch(topology, node),
                                    {"ip", "-n", instance.netns(node)});
            !r)
            return r;
    return {};
}

Result<void> set_sysctls(const Instance& instance, const Topology& topology) {
    for (const auto& node : topology.nodes) {
        const std::string ns = instance.netns(node);
        std::vector<std::pair<const char*, const char*>> settings{{"net.ipv4.icmp_ratelimit", "0"},
                                                                  {"net.ipv6.icmp.ratelimit", "0"}};
        if (topology.is_router(node)) {
            settings.push_back({"net.ipv4.ip_forward", "1"});
            settings.push_back({"net.ipv6.conf.all.forwarding", "1"});
        }
        for (const auto& [key, value] : settings)
            if (auto r = write_sysctl(ns, key, value); !r) return r;
    }
    return {};
}

Result<void> write_etc_netns(const Instance& instance, const Topology& topology) {
    for (const auto& node : topology.nodes) {
        const std::string dir = instance.etc_netns_dir(node);
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) return fail("cannot create " + dir + ": " + ec.message());
        if (auto r = write_text_file(dir + "/hosts", hosts_file(topology)); !r) return r;
        if (auto r = write_text_file(dir + "/resolv.conf", resolv_conf()); !r) return r;
    }
    return {};
}

Result<void> write_server_files(const std::string& dir, int limit_conn) {
    auto pki = make_pki(dir + "/" + k_pki_dir, lab_leaf_specs());
    if (!pki) return tl::unexpected(pki.error());
    auto conf = render_nginx_conf(dir, *pki, limit_conn);
    if (!conf) return tl::unexpected(conf.error());
    std::error_code ec;
    fs::create_directories(dir + "/nginx-temp", ec);
    if (ec) return fail("cannot create " + dir + "/nginx-temp: " + ec.message());
    return write_text_file(dir + "/" + k_nginx_conf, *conf);
}

// Starts the supervisor and waits for its "ready" (or its error, or its death).
Result<void> start_supervisor(const LabState& state, const std::string& dir) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return fail("pipe: " + std::string(std::strerror(errno)));
    Fd read_end(fds[0]), write_end(fds[1]);
    // Only the readiness pipe reaches the supervisor: our own descriptors are all CLOEXEC,
    // and the command line marks inherited ones CLOEXEC before `up` (cli/lab_command.cpp).
    ::fcntl(write_end.get(), F_SETFD, 0);
    auto pid = spawn_background(supervisor_argv(state.self_exe, dir, write_end.get()),
                                dir + "/" + k_supervisor_log);
    write_end.reset();
    if (!pid) return tl::unexpected(pid.error());

    auto deadline = Clock::now() + std::chrono::milliseconds(k_supervisor_ready_timeout_ms);
    std::string reply;
    for (;;) {
        const int left = ms_until(deadline);
        if (left <= 0)
            return fail("the lab supervisor did not report ready in time (see " + dir + "/" +
                        k_supervisor_log + ")");
        pollfd pfds[2] = {{read_end.get(), POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
        ::poll(pfds, 2, left);
        if (interrupted()) return fail("interrupted");
        if (!(pfds[0].revents & (POLLIN | POLLHUP))) continue;
        char buf[512];
        ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) {
            reply.append(buf, static_cast<size_t>(n));
            if (reply.find('\n') == std::string::npos) continue;
        }
        break;
    }
    while (!reply.empty() && reply.back() == '\n') reply.pop_back();
    if (reply == "ready") return {};
    if (reply.rfind("error: ", 0) == 0) return fail(reply.substr(7));
    return fail("the lab supervisor exited while starting (see " + dir + "/" + k_supervisor_log +
                ")");
}

}  // namespace

Result<void> require_lab_privileges() {
    // CAP_NET_ADMIN (12) builds the network, CAP_SYS_ADMIN (21) enters namespaces.
    std::ifstream in("/proc/self/status");
    std::string line;
    unsigned long long effective = 0;
    while (std::getline(in, line))
        if (line.rfind("CapEff:", 0) == 0) effective = std::strtoull(line.c_str() + 7, nullptr, 16);
    constexpr unsigned long long needed = (1ULL << 12) | (1ULL << 21);
    if ((effective & needed) != needed)
        return fail(ErrorCode::permission,
                    "the lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run it with sudo");
    return {};
}

Result<UpReport> up(const LabConfig& config) {
    const auto started = Clock::now();
    if (auto allowed = require_lab_privileges(); !allowed) return tl::unexpected(allowed.error());
    ensure_sbin_in_path();
    if (auto valid = validate_options(config); !valid) return tl::unexpected(valid.error());
    auto chosen = choose_rules(config);
    if (!chosen) return tl::unexpected(chosen.error());
    const RulesChoice rules = std::move(*chosen);
    const Instance& instance = config.instance;
    auto lock = UpLock::acquire(instance);
    if (!lock) return tl::unexpected(lock.error());
    const std::string dir = instance.state_dir();
    std::error_code ec;
    const std::string self_exe = fs::read_symlink("/proc/self/exe", ec).string();
    if (ec) return fail("cannot find the sniprobe binary: " + ec.message());
    const LabState state = state_for(config, dir, self_exe);
    const Topology topology = *plan_topology(config.middlebox_hop);

    UpReport report;
    LabStatus current = status(instance);
    if (current.up && same_lab(current, state, rules)) {
        report.outcome = UpOutcome::already_up;
        report.status = std::move(current);
        return report;
    }
    // A different lab, or the leftovers of one that was killed: start from nothing.
    if (auto removed = down(instance); !removed) return tl::unexpected(removed.error());

    const std::vector<std::pair<const char*, std::function<Result<void>()>>> steps{
        {"state directory",
         [&]() -> Result<void> {
             fs::create_directories(dir, ec);
             if (ec) return fail("cannot create " + dir + ": " + ec.message());
             return save_lab_state(dir, state);
         }},
        {"namespaces and links", [&] { return build_network(instance, topology, dir); }},
        {"sysctls", [&] { return set_sysctls(instance, topology); }},
        {"/etc/netns files", [&] { return write_etc_netns(instance, topology); }},
        {"certificates and nginx.conf",
         [&] { return write_server_files(dir, config.server_limit_conn); }},
        {"rules file",
         [&]() -> Result<void> {
             if (state.rules_file.empty()) return {};
             return write_text_file(state.rules_file, rules.text);
         }},
        {"iptables rules",
         [&] { return apply_firewall(instance, plan_firewall(topology, config)); }},
        {"nginx and middlebox", [&] { return start_supervisor(state, dir); }},
        {"client -> server path",
         [&]() -> Result<void> {
             if (tcp_connects(instance.netns("client"), topology.server_ipv4(), 80,
                              k_path_check_timeout_ms))
                 return {};
             return fail(fmt::format("the client cannot reach {}:80 through the routers",
                                     topology.server_ipv4()));
         }},
    };
    for (const auto& [what, step] : steps) {
        Result<void> done = interrupted() ? Result<void>() : step();
        if (interrupted())
            done = fail("interrupted; the lab was torn down");
        else if (!done)
            done = fail(std::string(what) + ": " + done.error().message);
        if (!done) {
            [[maybe_unused]] auto removed = down(instance);
            return tl::unexpected(done.error());
        }
    }
    report.status = status(instance);
    report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (!report.status.up) {
        std::string why =
            report.status.problems.empty() ? "unknown" : report.status.problems.front();
        [[maybe_unused]] auto removed = down(instance);
        return fail("the lab came up incomplete: " + why);
    }
    return report;
}

}  // namespace sniprobe::lab
