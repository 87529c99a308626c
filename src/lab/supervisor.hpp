// The lab supervisor: the long-lived process (`sniprobe lab supervise`, hidden) that
// `lab up` starts and `lab down` stops. It owns nginx (server namespace, `daemon off`)
// and the middlebox (middlebox router) as its own children, so they are reaped at once
// when they exit — nginx started in the background is otherwise reaped late by PID 1
// (DESIGN.md §6). It reports readiness to `up` over a pipe ("ready" once nginx accepts
// on 80/443/8443 and the middlebox printed "middlebox ready"; "error: ..." otherwise)
// and on SIGTERM stops both (SIGTERM, then SIGKILL after a bounded wait) and reaps them.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace sniprobe::lab {

// How long the supervisor waits for nginx and the middlebox to become ready.
inline constexpr int k_ready_timeout_ms = 10'000;
// How long stopped children get between SIGTERM and SIGKILL.
inline constexpr int k_stop_grace_ms = 3'000;
// The line the middlebox prints on stderr once it is bound to its queue.
inline constexpr const char* k_middlebox_ready_line = "middlebox ready";

// The argv that starts a supervisor for a state directory (self = the sniprobe binary).
std::vector<std::string> supervisor_argv(const std::string& self_exe, const std::string& state_dir,
                                         int ready_fd);

// True when `argv` is a supervisor of `state_dir` (how `down` finds one whose pid file
// was never written, e.g. after `up` was killed).
bool is_supervisor_of(const std::vector<std::string>& argv, const std::string& state_dir);

// Runs the supervisor until SIGTERM/SIGINT; returns the process exit status.
int run_supervisor(const std::string& state_dir, int ready_fd);

}  // namespace sniprobe::lab
