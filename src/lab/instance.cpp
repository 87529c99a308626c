// Instance names and the lab's naming scheme; see instance.hpp. Parsing is strict on
// purpose: a namespace only counts as ours when its last component is a lab node name
// and what stands between the prefix and the node is a valid instance name.
#include "lab/instance.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <system_error>

namespace sniprobe::lab {
namespace {

namespace fs = std::filesystem;

constexpr size_t k_max_instance_chars = 40;

bool valid_instance_name(std::string_view name) {
    if (name.empty() || name.size() > k_max_instance_chars) return false;
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (!alnum(name.front())) return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return alnum(c) || c == '-' || c == '_'; });
}

bool is_node_name(std::string_view name) {
    const auto& nodes = all_node_names();
    return std::find(nodes.begin(), nodes.end(), name) != nodes.end();
}

// Names of the entries of a directory (empty when it does not exist).
std::vector<std::string> list_dir(const fs::path& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        names.push_back(it->path().filename().string());
    return names;
}

}  // namespace

const std::vector<std::string>& all_node_names() {
    static const std::vector<std::string> names{"client", "r1", "r2", "r3", "server"};
    return names;
}

Result<Instance> Instance::named(std::string_view name) {
    Instance instance;
    if (name.empty()) return instance;
    if (!valid_instance_name(name))
        return fail("invalid lab instance name '" + std::string(name) +
                    "': use up to 40 letters, digits, '-' or '_', starting with a letter or digit");
    instance.m_name = std::string(name);
    return instance;
}

Result<Instance> Instance::from_environment() {
    const char* env = std::getenv("SNIPROBE_LAB_INSTANCE");
    return named(env ? env : "");
}

std::string Instance::display_name() const {
    return m_name.empty() ? "default" : m_name;
}

std::string Instance::netns(std::string_view node) const {
    std::string out(k_netns_prefix);
    if (!m_name.empty()) out += m_name + "-";
    out += node;
    return out;
}

std::string Instance::etc_netns_dir(std::string_view node) const {
    return std::string(k_etc_netns_dir) + "/" + netns(node);
}

std::string Instance::state_dir() const {
    std::string out(k_state_dir_prefix);
    if (!m_name.empty()) out += "-" + m_name;
    return out;
}

std::optional<NetnsName> parse_netns_name(std::string_view name) {
    if (name.substr(0, k_netns_prefix.size()) != k_netns_prefix) return std::nullopt;
    std::string_view rest = name.substr(k_netns_prefix.size());
    if (is_node_name(rest)) return NetnsName{"", std::string(rest)};
    auto dash = rest.rfind('-');
    if (dash == std::string_view::npos) return std::nullopt;
    std::string_view instance = rest.substr(0, dash);
    std::string_view node = rest.substr(dash + 1);
    if (!is_node_name(node) || !valid_instance_name(instance)) return std::nullopt;
    return NetnsName{std::string(instance), std::string(node)};
}

std::optional<std::string> parse_state_dir_name(std::string_view base_name) {
    const std::string prefix = fs::path(std::string(k_state_dir_prefix)).filename().string();
    if (base_name.substr(0, prefix.size()) != prefix) return std::nullopt;
    std::string_view rest = base_name.substr(prefix.size());
    if (rest.empty()) return std::string();
    if (rest.front() != '-' || !valid_instance_name(rest.substr(1))) return std::nullopt;
    return std::string(rest.substr(1));
}

std::vector<std::string> existing_netns(const Instance& instance) {
    std::vector<std::string> out;
    for (const auto& name : list_dir(std::string(k_netns_run_dir))) {
        auto parsed = parse_netns_name(name);
        if (parsed && parsed->instance == instance.name()) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<Instance> instances_present() {
    std::set<std::string> names;
    for (const auto& dir : {std::string(k_netns_run_dir), std::string(k_etc_netns_dir)})
        for (const auto& name : list_dir(dir))
            if (auto parsed = parse_netns_name(name)) names.insert(parsed->instance);
    fs::path state_parent = fs::path(std::string(k_state_dir_prefix)).parent_path();
    for (const auto& name : list_dir(state_parent))
        if (auto parsed = parse_state_dir_name(name)) names.insert(*parsed);
    std::vector<Instance> out;
    for (const auto& name : names)
        if (auto instance = Instance::named(name)) out.push_back(*instance);
    return out;
}

}  // namespace sniprobe::lab
