// What a running lab remembers in its state directory: lab.json (written by `up`: the
// configuration and where its files are) and processes.json (written by the
// supervisor: the pids it owns). `status`, `down` and the supervisor read them; a
// missing or unreadable file simply means "not (fully) up".
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/result.hpp"

namespace sniprobe::lab {

// File names inside the state directory.
inline constexpr const char* k_lab_json = "lab.json";
inline constexpr const char* k_processes_json = "processes.json";
inline constexpr const char* k_rules_file = "rules.toml";
inline constexpr const char* k_supervisor_log = "supervisor.log";
inline constexpr const char* k_middlebox_log = "middlebox.log";
inline constexpr const char* k_nginx_stdout_log = "nginx.out";
inline constexpr const char* k_quic_server_log = "quic-server.log";
inline constexpr const char* k_pki_dir = "pki";

// lab.json.
struct LabState {
    std::string instance;  // "" for the default instance
    int middlebox_hop = 2;
    std::string profile;            // profile name; "" when a rules file was given
    std::string rules_source;       // the user's rules file; "" for a profile
    std::string rules_file;         // the active copy in the state dir; "" without a middlebox
    std::string server_reset_name;  // "" when off
    bool block_address = false;
    int path_mtu = 0;                 // 0 when off
    bool server_reset_large = false;  // the server resets segments of 1400+ bytes
    int server_connlimit = 0;         // 0 when off
    int server_limit_conn = 0;        // nginx limit_conn on 443; 0 when off
    std::string ca_file;
    std::string self_exe;  // the sniprobe binary that runs the middlebox
};

// processes.json: 0 for a process that is not running (or never was).
struct ProcessState {
    pid_t supervisor = 0;
    pid_t nginx = 0;
    pid_t middlebox = 0;
    pid_t quic_server = 0;  // gtlsserver (UDP 443); 0 when ngtcp2-server is not installed
};

Result<void> save_lab_state(const std::string& state_dir, const LabState& state);
Result<LabState> load_lab_state(const std::string& state_dir);
Result<void> save_process_state(const std::string& state_dir, const ProcessState& state);
Result<ProcessState> load_process_state(const std::string& state_dir);

// Reads a whole file (fails when it cannot be read).
Result<std::string> read_text_file(const std::string& path);
// Writes a whole file atomically (temp file + rename), with `mode`.
Result<void> write_text_file(const std::string& path, const std::string& text,
                             unsigned mode = 0644);

}  // namespace sniprobe::lab
