// Namespace helpers; see netns.hpp. Leaving a namespace must not fail silently: a
// thread left in the wrong namespace would build the rest of the lab in the wrong
// place, so a failed return switch aborts the process.
#include "lab/netns.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "lab/instance.hpp"
#include "util/clock.hpp"
#include "util/sockaddr.hpp"

namespace sniprobe::lab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string errno_text() {
    return std::strerror(errno);
}

std::string netns_path(const std::string& netns) {
    return std::string(k_netns_run_dir) + "/" + netns;
}

}  // namespace

void ensure_sbin_in_path() {
    const char* path = std::getenv("PATH");
    std::string value = path ? path : "/usr/bin:/bin";
    for (const char* dir : {"/usr/sbin", "/sbin"})
        if ((":" + value + ":").find(std::string(":") + dir + ":") == std::string::npos)
            value += std::string(":") + dir;
    ::setenv("PATH", value.c_str(), 1);
}

Result<void> with_netns(const std::string& netns, const std::function<Result<void>()>& step) {
    Fd target(::open(netns_path(netns).c_str(), O_RDONLY | O_CLOEXEC));
    if (!target) return fail("cannot open namespace " + netns + ": " + errno_text());
    Fd original(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!original) return fail("cannot open the current network namespace: " + errno_text());
    if (::setns(target.get(), CLONE_NEWNET) != 0)
        return fail("cannot enter namespace " + netns + ": " + errno_text());
    Result<void> result = step();
    if (::setns(original.get(), CLONE_NEWNET) != 0) {
        fmt::print(stderr, "sniprobe: cannot leave namespace {}: {}\n", netns, errno_text());
        std::abort();
    }
    return result;
}

Result<void> write_sysctl(const std::string& netns, const std::string& key,
                          const std::string& value) {
    std::string relative = key;
    std::replace(relative.begin(), relative.end(), '.', '/');
    const std::string path = "/proc/sys/" + relative;
    return with_netns(netns, [&]() -> Result<void> {
        std::ofstream out(path);
        out << value << '\n';
        out.flush();
        if (!out) return fail("cannot set " + key + "=" + value + " in " + netns);
        return {};
    });
}

bool tcp_connects(const std::string& from_netns, const std::string& address, int port,
                  int timeout_ms) {
    const auto peer = socket_address_from_text(address, static_cast<uint16_t>(port));
    if (!peer) return false;
    Fd sock;
    auto opened = with_netns(from_netns, [&]() -> Result<void> {
        sock.reset(::socket(peer->family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!sock) return fail("socket: " + errno_text());
        return {};
    });
    if (!opened) return false;
    if (::connect(sock.get(), peer->get(), peer->length) == 0) return true;
    if (errno != EINPROGRESS) return false;
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    pollfd pfd{sock.get(), POLLOUT, 0};
    for (;;) {
        int n = ::poll(&pfd, 1, ms_until(deadline));
        if (n > 0) break;
        if (n == 0 || errno != EINTR) return false;
    }
    int error = 0;
    socklen_t error_len = sizeof error;
    if (::getsockopt(sock.get(), SOL_SOCKET, SO_ERROR, &error, &error_len) != 0) return false;
    return error == 0;
}

std::vector<pid_t> running_pids() {
    std::vector<pid_t> pids;
    std::error_code ec;
    for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() ||
            !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        pids.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return pids;
}

std::vector<pid_t> pids_in_netns(const std::string& netns) {
    std::vector<pid_t> pids;
    struct stat target {};
    if (::stat(netns_path(netns).c_str(), &target) != 0) return pids;
    for (pid_t pid : running_pids()) {
        struct stat ns {};
        const std::string ns_path = "/proc/" + std::to_string(pid) + "/ns/net";
        if (::stat(ns_path.c_str(), &ns) != 0) continue;
        if (ns.st_dev == target.st_dev && ns.st_ino == target.st_ino) pids.push_back(pid);
    }
    return pids;
}

// glibc 2.36's <sys/pidfd.h> lacks extern "C", so C++ cannot link its pidfd_open.
Fd open_pidfd(pid_t pid) {
    return Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

bool process_alive(pid_t pid) {
    if (pid <= 0) return false;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return false;
    // The state follows the parenthesised command name, which may itself hold ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size()) return false;
    char state = line[close + 2];
    return state != 'Z' && state != 'X';
}

std::vector<std::string> process_cmdline(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::vector<std::string> argv;
    std::string arg;
    while (std::getline(in, arg, '\0')) argv.push_back(arg);
    return argv;
}

Result<void> kill_netns_processes(const std::string& netns, int timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto pids = pids_in_netns(netns);
        if (pids.empty()) return {};
        std::vector<Fd> pidfds;
        for (pid_t pid : pids) {
            Fd pidfd = open_pidfd(pid);
            ::kill(pid, SIGKILL);
            if (pidfd) pidfds.push_back(std::move(pidfd));
        }
        // Wait for the first of them to exit, then look again (a pidfd of a process
        // that is not our child becomes readable when it exits).
        std::vector<pollfd> pfds;
        for (const auto& fd : pidfds) pfds.push_back({fd.get(), POLLIN, 0});
        if (ms_until(deadline) == 0)
            return fail("processes in " + netns + " did not exit after SIGKILL");
        if (!pfds.empty()) ::poll(pfds.data(), pfds.size(), std::min(ms_until(deadline), 100));
    }
}

}  // namespace sniprobe::lab
