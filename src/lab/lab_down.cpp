// `lab down`: removes an instance in the order that cannot strand anything — first the
// supervisor (so nobody starts new processes), then every process still inside the
// instance's namespaces (`ip netns del` alone would leave a namespace alive as long as
// a process holds it), then the namespaces (their veths go with them), the
// /etc/netns directories and the state directory. Each piece is found from what exists
// on the machine, not from the state file, so the leftovers of a killed `up` go too.
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "lab/instance.hpp"
#include "lab/lab.hpp"
#include "lab/netns.hpp"
#include "lab/supervisor.hpp"
#include "util/clock.hpp"
#include "util/subprocess.hpp"

namespace sniprobe::lab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int k_supervisor_exit_timeout_ms = k_stop_grace_ms + 2'000;
constexpr int k_netns_kill_timeout_ms = 3'000;

std::vector<pid_t> find_supervisors(const std::string& state_dir) {
    std::vector<pid_t> pids;
    for (pid_t pid : running_pids())
        if (pid != ::getpid() && is_supervisor_of(process_cmdline(pid), state_dir))
            pids.push_back(pid);
    return pids;
}

// SIGTERM (the supervisor stops and reaps nginx and the middlebox), a bounded wait on
// pidfds, then SIGKILL. Reaps it too when it happens to be our own child.
void stop_supervisors(const std::string& state_dir) {
    auto pids = find_supervisors(state_dir);
    if (pids.empty()) return;
    std::vector<Fd> pidfds;
    for (pid_t pid : pids) {
        pidfds.push_back(open_pidfd(pid));
        ::kill(pid, SIGTERM);
    }
    auto deadline = Clock::now() + std::chrono::milliseconds(k_supervisor_exit_timeout_ms);
    for (size_t i = 0; i < pids.size(); ++i) {
        while (process_alive(pids[i]) && pidfds[i]) {
            const int left = ms_until(deadline);
            if (left <= 0) break;
            pollfd pfd{pidfds[i].get(), POLLIN, 0};
            ::poll(&pfd, 1, left);
        }
        if (process_alive(pids[i])) ::kill(pids[i], SIGKILL);
        ::waitpid(pids[i], nullptr, WNOHANG);
    }
}

}  // namespace

Result<void> down(const Instance& instance) {
    ensure_sbin_in_path();
    const std::string state_dir = instance.state_dir();
    std::vector<std::string> errors;
    stop_supervisors(state_dir);
    const auto namespaces = existing_netns(instance);
    for (const auto& ns : namespaces)
        if (auto killed = kill_netns_processes(ns, k_netns_kill_timeout_ms); !killed)
            errors.push_back(killed.error().message);
    for (const auto& ns : namespaces)
        if (auto deleted = run_checked({"ip", "netns", "delete", ns}); !deleted)
            errors.push_back(deleted.error().message);
    std::error_code ec;
    for (const auto& node : all_node_names()) {
        fs::remove_all(instance.etc_netns_dir(node), ec);
        if (ec)
            errors.push_back("cannot remove " + instance.etc_netns_dir(node) + ": " + ec.message());
    }
    fs::remove_all(state_dir, ec);
    if (ec) errors.push_back("cannot remove " + state_dir + ": " + ec.message());
    if (errors.empty()) return {};
    std::string message = fmt::format("lab down (instance {}) left something behind: {}",
                                      instance.display_name(), errors.front());
    if (errors.size() > 1) message += fmt::format(" (and {} more)", errors.size() - 1);
    return fail(message);
}

Result<void> down_all() {
    Result<void> result;
    for (const auto& instance : instances_present())
        if (auto done = down(instance); !done && result) result = done;
    return result;
}

}  // namespace sniprobe::lab
