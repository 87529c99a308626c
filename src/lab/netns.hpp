// Working inside a network namespace from this process. setns(2) switches only the
// calling thread, and a socket or a child process keeps the namespace it was created
// in, so `with_netns` enters a namespace, runs a step (open a socket, write a sysctl,
// spawn nginx) and switches back — no `ip netns exec` fork per step. /proc/sys/net
// resolves against the opener's namespace, which is what makes in-process sysctls work.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace sniprobe::lab {

// Adds /usr/sbin and /sbin to PATH when missing: ip, iptables-nft and nginx live there,
// and a plain user PATH (or sudo with a restricted one) lacks them.
void ensure_sbin_in_path();

// Runs `step` with the calling thread inside namespace `netns` (a name under /run/netns).
Result<void> with_netns(const std::string& netns, const std::function<Result<void>()>& step);

// Writes `value` to /proc/sys/<key with dots as slashes> inside `netns`.
Result<void> write_sysctl(const std::string& netns, const std::string& key,
                          const std::string& value);

// True when a TCP connect from inside `from_netns` to address:port succeeds within timeout_ms.
bool tcp_connects(const std::string& from_netns, const std::string& address, int port,
                  int timeout_ms);

// Pids of every live process (the numeric entries of /proc).
std::vector<pid_t> running_pids();

// Pids of every live process whose network namespace is `netns` (like `ip netns pids`).
std::vector<pid_t> pids_in_netns(const std::string& netns);

// Opens a pidfd for `pid` (readable once it exits); an empty Fd when it is gone.
Fd open_pidfd(pid_t pid);

// True when `pid` exists and is not a zombie.
bool process_alive(pid_t pid);

// The argv of a live process (from /proc/<pid>/cmdline); empty when unreadable.
std::vector<std::string> process_cmdline(pid_t pid);

// SIGKILLs every process in `netns` and waits (up to timeout_ms) until none is left.
Result<void> kill_netns_processes(const std::string& netns, int timeout_ms);

}  // namespace sniprobe::lab
