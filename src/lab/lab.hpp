// The lab's public API (DESIGN.md §6): `up` builds a closed network of namespaces
// client — r1 — r2 — server with nginx and the middlebox emulator, `down` removes
// everything an instance owns (also what a killed run left), `status` says what is
// running, `exec_argv` runs a command inside a node. The CLI (cli/lab_command.cpp),
// the lab tests and the benchmarks call these; namespace names come from instance.hpp.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "lab/config.hpp"
#include "lab/instance.hpp"
#include "util/result.hpp"
#include "util/subprocess.hpp"

namespace sniprobe::lab {

// One namespace of the lab.
struct NodeStatus {
    std::string name;   // "client", "r1", ...
    std::string netns;  // "sniprobe-client", ...
    std::vector<std::string> ipv4, ipv6;
    bool present = false;  // the namespace exists
};

// A process the supervisor owns.
struct ProcessStatus {
    pid_t pid = 0;
    bool alive = false;
};

// What `lab status` reports.
struct LabStatus {
    bool up = false;                    // every node present, supervisor and its children alive
    std::vector<std::string> problems;  // why it is not up (empty when up)
    Instance instance;
    std::string state_dir;
    std::vector<NodeStatus> nodes;
    int middlebox_hop = 0;
    std::string middlebox_node;  // "r2"
    std::string server_ipv4, server_ipv6;
    std::string ca_file;
    std::string profile;       // "" when a rules file was given
    std::string rules_source;  // the user's rules file, or ""
    std::string rules_file;    // the active copy, "" without a middlebox
    std::string server_reset_name;
    bool block_address = false;
    int path_mtu = 0;                 // 0 when off
    bool server_reset_large = false;  // the server resets segments of 1400+ bytes
    int server_connlimit = 0;         // 0 when off
    int server_limit_conn = 0;        // nginx limit_conn on 443; 0 when off
    ProcessStatus supervisor, nginx, middlebox;
    ProcessStatus quic_server;  // pid 0 when ngtcp2-server is not installed
};

// How `up` ended.
enum class UpOutcome { started, already_up };

// What `up` did.
struct UpReport {
    UpOutcome outcome = UpOutcome::started;
    LabStatus status;
    double seconds = 0;  // wall time of `up`
};

// A permission error with the one-line fix when this process may not build a lab.
Result<void> require_lab_privileges();

// Builds the lab (idempotent: an identical running lab is left alone; a different or
// half-built one is torn down first). On failure or Ctrl-C everything is torn down and
// the error says why. Bad options (unknown profile, unreadable rules file) are usage errors,
// missing privileges a permission error, both before anything is built.
Result<UpReport> up(const LabConfig& config);

// Removes everything `instance` owns: supervisor, processes in its namespaces, the
// namespaces, /etc/netns entries, the state directory. Harmless when nothing is up.
Result<void> down(const Instance& instance);

// `down` for every instance found on the machine.
Result<void> down_all();

// Reads the state of an instance (never fails: missing pieces are listed in `problems`).
LabStatus status(const Instance& instance);

// Human-readable and JSON renderings of a status.
std::string status_text(const LabStatus& status);
std::string status_json(const LabStatus& status);

// argv that runs `command` in a node via `ip netns exec` (so /etc/netns files apply);
// fails when the node is not part of the instance's running lab.
Result<std::vector<std::string>> exec_argv(const Instance& instance, const std::string& node,
                                           const std::vector<std::string>& command);

}  // namespace sniprobe::lab
