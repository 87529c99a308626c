// Running other programs (ip, iptables-nft, nginx, openssl) without a shell: argv is
// passed as-is, so names from rules files or the command line are never interpreted.
// Output is captured; the exit status is returned, never thrown.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.hpp"

namespace sniprobe {

// What a finished command printed and how it ended.
struct CommandResult {
    int exit_code = -1;  // exit status, or 128+signal when killed by a signal
    std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (looked up in PATH) and waits. Fails only when it cannot be started.
Result<CommandResult> run_command(const std::vector<std::string>& argv);

// Runs a command and fails with its output when it exits non-zero.
Result<std::string> run_checked(const std::vector<std::string>& argv);

// Starts a command in the background with stdout/stderr sent to log_path (appended);
// returns its pid. The caller owns the child and must reap it (waitpid).
Result<pid_t> spawn_background(const std::vector<std::string>& argv, const std::string& log_path);

// Joins argv for messages ("ip netns add sniprobe-client").
std::string join_command(const std::vector<std::string>& argv);

}  // namespace sniprobe
