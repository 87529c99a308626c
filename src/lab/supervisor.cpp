// The lab supervisor; see supervisor.hpp. Children are watched through pidfds in one
// poll(2) set together with the interrupt pipe, so the supervisor sleeps until a child
// exits or a stop signal arrives — no periodic wake-ups. It runs with SIGHUP ignored by
// `lab supervise` (a closed terminal must not take the lab down; only `lab down` does) and
// never lets its
// readiness pipe leak into nginx or the middlebox, so `up` sees EOF if it dies.
#include "lab/supervisor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>

#include "lab/instance.hpp"
#include "lab/netns.hpp"
#include "lab/nginx_config.hpp"
#include "lab/state.hpp"
#include "lab/topology.hpp"
#include "quic/exchange.hpp"
#include "util/clock.hpp"
#include "util/fd.hpp"
#include "util/interrupt.hpp"
#include "util/subprocess.hpp"

namespace sniprobe::lab {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int k_ready_poll_interval_ms = 20;
constexpr int k_connect_timeout_ms = 200;
// Debian's ngtcp2 example server (package ngtcp2-server): the lab's QUIC peer on UDP 443.
constexpr const char* k_gtlsserver = "/usr/sbin/gtlsserver";
constexpr int k_quic_port = 443;

// One process the supervisor owns.
struct Child {
    std::string name;  // "nginx", "middlebox"
    std::string log_path;
    pid_t pid = 0;
    Fd pidfd;
    std::optional<int> exit_status;  // set once reaped
    bool running() const { return pid > 0 && !exit_status; }
};

void say(const std::string& message) {
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", std::localtime(&now));
    fmt::print(stderr, "{} supervisor[{}]: {}\n", stamp, static_cast<int>(::getpid()), message);
    std::fflush(stderr);
}

// Tells `up` how the start went (once) and closes the pipe.
void report(Fd& ready, const std::string& line) {
    if (!ready) return;
    std::string text = line + "\n";
    [[maybe_unused]] auto n = ::write(ready.get(), text.data(), text.size());
    ready.reset();
}

std::string last_line(const std::string& path) {
    auto text = read_text_file(path);
    if (!text) return "";
    std::string s = *text;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    auto nl = s.rfind('\n');
    return nl == std::string::npos ? s : s.substr(nl + 1);
}

bool file_contains(const std::string& path, const std::string& needle) {
    auto text = read_text_file(path);
    return text && text->find(needle) != std::string::npos;
}

Result<Child> start_child(const std::string& name, const std::string& netns,
                          const std::vector<std::string>& argv, const std::string& log_path) {
    Child child{name, log_path, 0, Fd(), std::nullopt};
    auto started = with_netns(netns, [&]() -> Result<void> {
        auto pid = spawn_background(argv, log_path);
        if (!pid) return tl::unexpected(pid.error());
        child.pid = *pid;
        return {};
    });
    if (!started) return tl::unexpected(started.error());
    child.pidfd = open_pidfd(child.pid);
    say(fmt::format("started {} (pid {}) in {}: {}", name, child.pid, netns, join_command(argv)));
    return child;
}

// Reaps the child if it has exited; true when it did (now or before).
bool reap_if_exited(Child& child) {
    if (!child.running()) return child.pid > 0;
    int status = 0;
    pid_t r = ::waitpid(child.pid, &status, WNOHANG);
    if (r != child.pid) return false;
    child.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    child.pidfd.reset();
    say(fmt::format("{} (pid {}) exited with status {}", child.name, child.pid,
                    *child.exit_status));
    return true;
}

std::string exit_description(const Child& child) {
    std::string line = last_line(child.log_path);
    return fmt::format("{} exited at start (status {}){}{}", child.name,
                       child.exit_status.value_or(-1), line.empty() ? "" : ": ", line);
}

// SIGTERM, a bounded wait on the pidfds, then SIGKILL and a blocking reap.
void stop_children(std::vector<Child>& children) {
    for (auto& c : children)
        if (c.running()) ::kill(c.pid, SIGTERM);
    auto deadline = Clock::now() + std::chrono::milliseconds(k_stop_grace_ms);
    for (;;) {
        std::vector<pollfd> pfds;
        for (auto& c : children) {
            reap_if_exited(c);
            if (c.running() && c.pidfd) pfds.push_back({c.pidfd.get(), POLLIN, 0});
        }
        const int left = ms_until(deadline);
        if (pfds.empty() || left <= 0) break;
        ::poll(pfds.data(), pfds.size(), left);
    }
    for (auto& c : children) {
        if (!c.running()) continue;
        say(fmt::format("{} (pid {}) ignored SIGTERM; killing it", c.name, c.pid));
        ::kill(c.pid, SIGKILL);
        int status = 0;
        while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
        }
        c.exit_status = 128 + SIGKILL;
    }
}

ProcessState process_state(const std::vector<Child>& children) {
    ProcessState state;
    state.supervisor = ::getpid();
    for (const auto& c : children) {
        pid_t pid = c.running() ? c.pid : 0;
        if (c.name == "nginx") state.nginx = pid;
        if (c.name == "middlebox") state.middlebox = pid;
        if (c.name == "quic_server") state.quic_server = pid;
    }
    return state;
}

// True when a QUIC server in `netns` answers a version ping on address:443.
bool quic_answers(const std::string& netns, const std::string& address) {
    bool answered = false;
    auto r = with_netns(netns, [&]() -> Result<void> {
        quic::ProbeRequest ping;
        ping.kind = quic::ProbeKind::version_ping;
        ping.address = address;
        ping.port = k_quic_port;
        ping.timeout_ms = k_connect_timeout_ms;
        answered =
            quic::run_probes({ping}, 1)[0].outcome == quic::ProbeOutcome::version_negotiation;
        return {};
    });
    return r && answered;
}

// Waits until nginx (and the QUIC server) answer and the middlebox is bound; "" when
// ready, else why not.
std::string wait_until_ready(std::vector<Child>& children, const std::string& server_netns,
                             const std::string& server_ip, const std::string& middlebox_log) {
    auto deadline = Clock::now() + std::chrono::milliseconds(k_ready_timeout_ms);
    bool nginx_ready = false;
    bool middlebox_ready = std::none_of(children.begin(), children.end(),
                                        [](const Child& c) { return c.name == "middlebox"; });
    bool quic_ready = std::none_of(children.begin(), children.end(),
                                   [](const Child& c) { return c.name == "quic_server"; });
    for (;;) {
        for (auto& c : children)
            if (reap_if_exited(c)) return exit_description(c);
        if (!nginx_ready) {
            nginx_ready = true;
            for (int port : {443, 8443, 80})
                nginx_ready = nginx_ready &&
                              tcp_connects(server_netns, server_ip, port, k_connect_timeout_ms);
        }
        if (!middlebox_ready)
            middlebox_ready = file_contains(middlebox_log, k_middlebox_ready_line);
        if (!quic_ready) quic_ready = quic_answers(server_netns, server_ip);
        if (nginx_ready && middlebox_ready && quic_ready) return "";
        if (Clock::now() >= deadline)
            return !nginx_ready
                       ? fmt::format("nginx did not answer on {} ports 80/443/8443 within {} ms",
                                     server_ip, k_ready_timeout_ms)
                   : !quic_ready
                       ? fmt::format("the QUIC server did not answer on {} UDP 443 within {} ms",
                                     server_ip, k_ready_timeout_ms)
                       : fmt::format("the middlebox did not print \"{}\" within {} ms (see {})",
                                     k_middlebox_ready_line, k_ready_timeout_ms, middlebox_log);
        std::vector<pollfd> pfds{{interrupt_fd(), POLLIN, 0}};
        for (auto& c : children)
            if (c.pidfd) pfds.push_back({c.pidfd.get(), POLLIN, 0});
        ::poll(pfds.data(), pfds.size(), k_ready_poll_interval_ms);
        if (interrupted()) return "stopped while starting";
    }
}

}  // namespace

std::vector<std::string> supervisor_argv(const std::string& self_exe, const std::string& state_dir,
                                         int ready_fd) {
    return {self_exe,
            "lab",
            "supervise",
            "--state-dir",
            state_dir,
            "--ready-fd",
            std::to_string(ready_fd)};
}

bool is_supervisor_of(const std::vector<std::string>& argv, const std::string& state_dir) {
    for (size_t i = 0; i + 3 < argv.size(); ++i)
        if (argv[i] == "lab" && argv[i + 1] == "supervise" && argv[i + 2] == "--state-dir" &&
            argv[i + 3] == state_dir)
            return true;
    return false;
}

int run_supervisor(const std::string& state_dir, int ready_fd) {
    Fd ready(ready_fd);
    if (ready) ::fcntl(ready.get(), F_SETFD, FD_CLOEXEC);
    // SIGTERM/SIGINT stop the lab through the interrupt handler the command line installed
    // (it also ignores SIGHUP for the supervisor: a closed terminal does not stop it).

    auto state = load_lab_state(state_dir);
    if (!state) {
        report(ready, "error: " + state.error().message);
        return 3;
    }
    auto instance = Instance::named(state->instance);
    auto topology = plan_topology(state->middlebox_hop);
    if (!instance || !topology) {
        report(ready, "error: " + (instance ? topology.error() : instance.error()).message);
        return 3;
    }
    say("supervising lab instance " + instance->display_name());

    std::vector<Child> children;
    auto fail_start = [&](const std::string& why) {
        say("start failed: " + why);
        stop_children(children);
        report(ready, "error: " + why);
        return 3;
    };

    const std::string server_netns = instance->netns("server");
    auto nginx = start_child("nginx", server_netns,
                             {"nginx", "-p", state_dir + "/", "-c", state_dir + "/" + k_nginx_conf,
                              "-e", state_dir + "/" + k_nginx_error_log, "-g", "daemon off;"},
                             state_dir + "/" + k_nginx_stdout_log);
    if (!nginx) return fail_start(nginx.error().message);
    children.push_back(std::move(*nginx));

    // The QUIC peer: gtlsserver with the default name's certificate and key, UDP 443.
    if (std::filesystem::exists(k_gtlsserver)) {
        const std::string pki = state_dir + "/" + k_pki_dir + "/";
        auto quic_server =
            start_child("quic_server", server_netns,
                        {k_gtlsserver, "-q", topology->server_ipv4(), std::to_string(k_quic_port),
                         pki + "default.test.key", pki + "default.test.pem"},
                        state_dir + "/" + k_quic_server_log);
        if (!quic_server) return fail_start(quic_server.error().message);
        children.push_back(std::move(*quic_server));
    } else {
        say(std::string(k_gtlsserver) + " not found (ngtcp2-server): the lab serves no QUIC");
    }

    const std::string middlebox_log = state_dir + "/" + k_middlebox_log;
    if (!state->rules_file.empty()) {
        auto middlebox = start_child(
            "middlebox", instance->netns(topology->middlebox_node()),
            {state->self_exe, "middlebox", "--rules", state->rules_file, "--queue", "0"},
            middlebox_log);
        if (!middlebox) return fail_start(middlebox.error().message);
        children.push_back(std::move(*middlebox));
    }
    if (auto saved = save_process_state(state_dir, process_state(children)); !saved)
        return fail_start(saved.error().message);

    if (auto why = wait_until_ready(children, server_netns, topology->server_ipv4(), middlebox_log);
        !why.empty())
        return fail_start(why);
    say("ready");
    report(ready, "ready");

    while (!interrupted()) {
        std::vector<pollfd> pfds{{interrupt_fd(), POLLIN, 0}};
        for (auto& c : children)
            if (c.running() && c.pidfd) pfds.push_back({c.pidfd.get(), POLLIN, 0});
        if (::poll(pfds.data(), pfds.size(), -1) < 0 && errno != EINTR) break;
        bool changed = false;
        for (auto& c : children) {
            bool was_running = c.running();
            if (reap_if_exited(c) && was_running) changed = true;
        }
        if (changed) save_process_state(state_dir, process_state(children));
    }
    say(fmt::format("stopping (signal {})", interrupt_signal()));
    stop_children(children);
    save_process_state(state_dir, process_state(children));
    say("stopped");
    return 0;
}

}  // namespace sniprobe::lab
