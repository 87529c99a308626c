// posix_spawnp-based command runner; see subprocess.hpp. A pipe collects the child's
// stdout and stderr; EINTR is retried so a signal handler elsewhere cannot lose output.
#include "util/subprocess.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fd.hpp"

extern char** environ;

namespace sniprobe {
namespace {

std::vector<char*> to_argv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    out.reserve(argv.size() + 1);
    for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

std::string join_command(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        out += a;
    }
    return out;
}

Result<CommandResult> run_command(const std::vector<std::string>& argv) {
    if (argv.empty()) return fail("run_command: empty command");
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return fail(std::string("pipe: ") + std::strerror(errno));
    Fd read_end(fds[0]);
    Fd write_end(fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    auto args = to_argv(argv);
    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    write_end.reset();
    if (rc != 0) return fail("cannot run " + argv[0] + ": " + std::strerror(rc));

    CommandResult result;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n > 0) {
            result.output.append(buf, static_cast<size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return fail("waitpid: " + std::string(std::strerror(errno)));
    }
    result.exit_code = decode_status(status);
    // posix_spawnp reports a missing program as exit 127 from the child.
    if (result.exit_code == 127 && result.output.empty())
        return fail("cannot run " + argv[0] + ": not found in PATH");
    return result;
}

Result<std::string> run_checked(const std::vector<std::string>& argv) {
    auto r = run_command(argv);
    if (!r) return tl::unexpected(r.error());
    if (r->exit_code != 0) {
        std::string out = r->output;
        while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
        return fail(join_command(argv) + " failed (exit " + std::to_string(r->exit_code) +
                    "): " + out);
    }
    return r->output;
}

Result<pid_t> spawn_background(const std::vector<std::string>& argv, const std::string& log_path) {
    if (argv.empty()) return fail("spawn_background: empty command");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group: a Ctrl-C at the terminal reaches the lab command, which
    // then stops its children in order, instead of killing them under its feet.
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    auto args = to_argv(argv);
    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return fail("cannot run " + argv[0] + ": " + std::strerror(rc));
    return pid;
}

}  // namespace sniprobe
