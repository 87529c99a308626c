// Reading the done set back (see resume.hpp). Records are parsed with nlohmann_json
// without exceptions; the key is rebuilt from the same fields the writer emits
// (host, port, ip when ip_source is "cli").
#include "scan/resume.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "util/fnv1a.hpp"

namespace sniprobe::scan {

std::string resume_key(std::string_view host, uint16_t port, std::string_view given_ip) {
    std::string key(host);
    key += '|';
    key += std::to_string(port);
    key += '|';
    key += given_ip;
    return key;
}

void DoneSet::add(std::string_view key) {
    m_hashes.insert(fnv1a64(key));
}

bool DoneSet::contains(std::string_view key) const {
    return m_hashes.count(fnv1a64(key)) > 0;
}

std::optional<std::string> record_key(std::string_view line) {
    auto doc = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    auto host = doc.find("host");
    auto port = doc.find("port");
    if (host == doc.end() || !host->is_string() || port == doc.end() || !port->is_number_unsigned())
        return std::nullopt;
    std::string given_ip;
    auto source = doc.find("ip_source");
    auto ip = doc.find("ip");
    if (source != doc.end() && source->is_string() && *source == "cli" && ip != doc.end() &&
        ip->is_string())
        given_ip = ip->get<std::string>();
    auto port_value = port->get<uint64_t>();
    if (port_value == 0 || port_value > 65535) return std::nullopt;
    return resume_key(host->get<std::string>(), static_cast<uint16_t>(port_value), given_ip);
}

Result<ResumeState> load_resume_state(const std::string& path) {
    ResumeState state;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (::access(path.c_str(), F_OK) != 0) return state;  // nothing scanned yet
        return fail("--resume: cannot read '" + path + "'");
    }
    std::string line;
    while (std::getline(in, line)) {
        if (in.eof()) {  // no newline after it: cut short by an interrupted write
            state.partial_last_line = !line.empty();
            break;
        }
        state.complete_bytes += line.size() + 1;
        if (line.empty()) continue;
        if (auto key = record_key(line)) {
            state.done.add(*key);
            ++state.records;
        } else {
            ++state.unreadable_lines;
        }
    }
    return state;
}

Result<void> truncate_output(const std::string& path, uint64_t bytes) {
    if (::truncate(path.c_str(), static_cast<off_t>(bytes)) != 0 && errno != ENOENT)
        return fail("--resume: cannot truncate '" + path + "': " + std::strerror(errno));
    return {};
}

}  // namespace sniprobe::scan
