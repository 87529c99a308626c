// JSON state files of a lab; see state.hpp. Writes go through a temp file and
// rename(2), so a reader (status, a concurrent down) never sees half a file even when
// the writer is killed mid-way.
#include "lab/state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sniprobe::lab {
namespace {

using nlohmann::json;

Result<json> load_json(const std::string& path) {
    auto text = read_text_file(path);
    if (!text) return tl::unexpected(text.error());
    try {
        return json::parse(*text);
    } catch (const json::exception& e) {
        return fail(path + ": " + e.what());
    }
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

Result<void> write_text_file(const std::string& path, const std::string& text, unsigned mode) {
    const std::string temp = path + ".tmp";
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return fail("cannot write " + temp + ": " + std::strerror(errno));
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            std::string err = std::strerror(errno);
            ::close(fd);
            return fail("cannot write " + temp + ": " + err);
        }
        done += static_cast<size_t>(n);
    }
    ::close(fd);
    if (::rename(temp.c_str(), path.c_str()) != 0)
        return fail("cannot rename " + temp + ": " + std::strerror(errno));
    return {};
}

Result<void> save_lab_state(const std::string& state_dir, const LabState& s) {
    json j = {{"instance", s.instance},
              {"middlebox_hop", s.middlebox_hop},
              {"profile", s.profile},
              {"rules_source", s.rules_source},
              {"rules_file", s.rules_file},
              {"server_reset_name", s.server_reset_name},
              {"block_address", s.block_address},
              {"path_mtu", s.path_mtu},
              {"server_reset_large", s.server_reset_large},
              {"server_connlimit", s.server_connlimit},
              {"server_limit_conn", s.server_limit_conn},
              {"ca_file", s.ca_file},
              {"self_exe", s.self_exe}};
    return write_text_file(state_dir + "/" + k_lab_json, j.dump(2) + "\n");
}

Result<LabState> load_lab_state(const std::string& state_dir) {
    auto j = load_json(state_dir + "/" + k_lab_json);
    if (!j) return tl::unexpected(j.error());
    try {
        LabState s;
        s.instance = j->at("instance").get<std::string>();
        s.middlebox_hop = j->at("middlebox_hop").get<int>();
        s.profile = j->at("profile").get<std::string>();
        s.rules_source = j->at("rules_source").get<std::string>();
        s.rules_file = j->at("rules_file").get<std::string>();
        s.server_reset_name = j->at("server_reset_name").get<std::string>();
        s.block_address = j->at("block_address").get<bool>();
        s.path_mtu = j->value("path_mtu", 0);
        s.server_reset_large = j->value("server_reset_large", false);
        s.server_connlimit = j->value("server_connlimit", 0);
        s.server_limit_conn = j->value("server_limit_conn", 0);
        s.ca_file = j->at("ca_file").get<std::string>();
        s.self_exe = j->at("self_exe").get<std::string>();
        return s;
    } catch (const json::exception& e) {
        return fail(state_dir + "/" + k_lab_json + ": " + e.what());
    }
}

Result<void> save_process_state(const std::string& state_dir, const ProcessState& s) {
    json j = {{"supervisor", s.supervisor},
              {"nginx", s.nginx},
              {"middlebox", s.middlebox},
              {"quic_server", s.quic_server}};
    return write_text_file(state_dir + "/" + k_processes_json, j.dump(2) + "\n");
}

Result<ProcessState> load_process_state(const std::string& state_dir) {
    auto j = load_json(state_dir + "/" + k_processes_json);
    if (!j) return tl::unexpected(j.error());
    try {
        ProcessState s;
        s.supervisor = j->at("supervisor").get<pid_t>();
        s.nginx = j->at("nginx").get<pid_t>();
        s.middlebox = j->at("middlebox").get<pid_t>();
        s.quic_server = j->value("quic_server", pid_t{0});
        return s;
    } catch (const json::exception& e) {
        return fail(state_dir + "/" + k_processes_json + ": " + e.what());
    }
}

}  // namespace sniprobe::lab
