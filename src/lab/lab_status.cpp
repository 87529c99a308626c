// `lab status` and `lab exec`. Status is read from what exists (namespaces under
// /run/netns, live pids checked against /proc) with lab.json only for the
// configuration, so it tells the truth after a crash: "namespace missing",
// "middlebox not running" are listed as problems and the lab does not count as up.
#include <fmt/core.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "lab/lab.hpp"
#include "lab/netns.hpp"
#include "lab/state.hpp"
#include "lab/supervisor.hpp"
#include "lab/topology.hpp"

namespace sniprobe::lab {
namespace {

namespace fs = std::filesystem;

ProcessStatus check(pid_t pid) {
    return {pid, process_alive(pid)};
}

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

std::string alive_text(const ProcessStatus& p) {
    if (p.pid == 0) return "not running";
    return fmt::format("pid {} {}", p.pid, p.alive ? "alive" : "dead");
}

}  // namespace

LabStatus status(const Instance& instance) {
    LabStatus s;
    s.instance = instance;
    s.state_dir = instance.state_dir();
    auto state = load_lab_state(s.state_dir);
    if (!state) {
        s.problems.push_back("not up (no " + s.state_dir + "/" + k_lab_json + ")");
        for (const auto& ns : existing_netns(instance)) {
            auto parsed = parse_netns_name(ns);
            s.nodes.push_back({parsed ? parsed->node : ns, ns, {}, {}, true});
        }
        if (!s.nodes.empty()) s.problems.push_back("leftover namespaces: run `sniprobe lab down`");
        return s;
    }
    s.middlebox_hop = state->middlebox_hop;
    s.ca_file = state->ca_file;
    s.profile = state->profile;
    s.rules_source = state->rules_source;
    s.rules_file = state->rules_file;
    s.server_reset_name = state->server_reset_name;
    s.block_address = state->block_address;
    s.path_mtu = state->path_mtu;
    s.server_reset_large = state->server_reset_large;
    s.server_connlimit = state->server_connlimit;
    s.server_limit_conn = state->server_limit_conn;
    auto topology = plan_topology(state->middlebox_hop);
    if (!topology) {
        s.problems.push_back(topology.error().message);
        return s;
    }
    s.middlebox_node = topology->middlebox_node();
    s.server_ipv4 = topology->server_ipv4();
    s.server_ipv6 = topology->server_ipv6();
    for (const auto& node : topology->nodes) {
        NodeStatus n{node, instance.netns(node), topology->ipv4_of(node), topology->ipv6_of(node),
                     false};
        n.present = fs::exists(std::string(k_netns_run_dir) + "/" + n.netns);
        if (!n.present) s.problems.push_back("namespace " + n.netns + " is missing");
        s.nodes.push_back(std::move(n));
    }
    auto processes = load_process_state(s.state_dir);
    if (processes) {
        s.supervisor = check(processes->supervisor);
        if (s.supervisor.alive && !is_supervisor_of(process_cmdline(s.supervisor.pid), s.state_dir))
            s.supervisor.alive = false;  // the pid was reused
        s.nginx = check(processes->nginx);
        s.middlebox = check(processes->middlebox);
        s.quic_server = check(processes->quic_server);
    }
    if (!s.supervisor.alive) s.problems.push_back("the lab supervisor is not running");
    if (!s.nginx.alive) s.problems.push_back("nginx is not running");
    if (s.quic_server.pid != 0 && !s.quic_server.alive)
        s.problems.push_back("the QUIC server is not running (see " + s.state_dir + "/" +
                             k_quic_server_log + ")");
    if (!s.rules_file.empty() && !s.middlebox.alive)
        s.problems.push_back("the middlebox is not running (see " + s.state_dir + "/" +
                             k_middlebox_log + ")");
    s.up = s.problems.empty();
    return s;
}

std::string status_text(const LabStatus& s) {
    std::string out =
        fmt::format("lab instance {}: {}\n", s.instance.display_name(), s.up ? "up" : "NOT up");
    for (const auto& problem : s.problems) out += "  problem: " + problem + "\n";
    if (!s.nodes.empty()) out += "nodes:\n";
    for (const auto& n : s.nodes) {
        std::string addresses = join(n.ipv4, ", ");
        if (!n.ipv6.empty()) addresses += ", " + join(n.ipv6, ", ");
        out += fmt::format("  {:<7} {:<28} {}{}\n", n.name, n.netns, addresses,
                           n.present ? "" : "  (missing)");
    }
    if (s.middlebox_hop == 0) return out;
    out += fmt::format("server:     {} / {} (nginx {})\n", s.server_ipv4, s.server_ipv6,
                       alive_text(s.nginx));
    out += fmt::format("QUIC:       {}:443/udp ({})\n", s.server_ipv4,
                       s.quic_server.pid == 0 ? "ngtcp2-server not installed"
                                              : "gtlsserver " + alive_text(s.quic_server));
    out += fmt::format("CA file:    {}\n", s.ca_file);
    if (s.rules_file.empty()) {
        out += "middlebox:  none\n";
    } else {
        std::string source =
            s.profile.empty() ? "rules file " + s.rules_source : "profile " + s.profile;
        out += fmt::format("middlebox:  {} in {} (hop {}), {}; active rules {}\n",
                           alive_text(s.middlebox), s.middlebox_node, s.middlebox_hop, source,
                           s.rules_file);
    }
    if (!s.server_reset_name.empty())
        out += fmt::format("scenario:   the server's kernel resets handshakes naming {}\n",
                           s.server_reset_name);
    if (s.block_address)
        out += fmt::format("scenario:   {} drops TCP to {}:443\n", s.middlebox_node, s.server_ipv4);
    if (s.path_mtu > 0)
        out += fmt::format(
            "scenario:   the r1-r2 link has MTU {}; r1 and r2 drop ICMP fragmentation needed\n",
            s.path_mtu);
    if (s.server_reset_large)
        out += "scenario:   the server resets TCP segments of 1400+ bytes (two-segment hellos)\n";
    if (s.server_connlimit > 0)
        out +=
            fmt::format("scenario:   the server rejects a client's connections beyond {} at once\n",
                        s.server_connlimit);
    if (s.server_limit_conn > 0)
        out += fmt::format(
            "scenario:   nginx (limit_conn) closes a client's connections beyond {} at once\n",
            s.server_limit_conn);
    out += fmt::format("supervisor: {}; state in {}\n", alive_text(s.supervisor), s.state_dir);
    return out;
}

std::string status_json(const LabStatus& s) {
    using nlohmann::json;
    auto process = [](const ProcessStatus& p) { return json{{"pid", p.pid}, {"alive", p.alive}}; };
    json nodes = json::array();
    for (const auto& n : s.nodes)
        nodes.push_back({{"name", n.name},
                         {"netns", n.netns},
                         {"ipv4", n.ipv4},
                         {"ipv6", n.ipv6},
                         {"present", n.present}});
    json j = {{"instance", s.instance.name()},
              {"up", s.up},
              {"problems", s.problems},
              {"state_dir", s.state_dir},
              {"nodes", nodes},
              {"server", {{"ipv4", s.server_ipv4}, {"ipv6", s.server_ipv6}}},
              {"ca_file", s.ca_file},
              {"middlebox",
               {{"hop", s.middlebox_hop},
                {"node", s.middlebox_node},
                {"profile", s.profile},
                {"rules_source", s.rules_source},
                {"rules_file", s.rules_file},
                {"process", process(s.middlebox)}}},
              {"scenario",
               {{"server_reset_name", s.server_reset_name},
                {"block_address", s.block_address},
                {"path_mtu", s.path_mtu},
                {"server_reset_large", s.server_reset_large},
                {"server_connlimit", s.server_connlimit},
                {"server_limit_conn", s.server_limit_conn}}},
              {"nginx", process(s.nginx)},
              {"quic_server", process(s.quic_server)},
              {"supervisor", process(s.supervisor)}};
    return j.dump(2) + "\n";
}

Result<std::vector<std::string>> exec_argv(const Instance& instance, const std::string& node,
                                           const std::vector<std::string>& command) {
    if (command.empty())
        return fail("lab exec: no command given (usage: sniprobe lab exec NODE -- CMD...)");
    const auto namespaces = existing_netns(instance);
    const std::string ns = instance.netns(node);
    if (std::find(namespaces.begin(), namespaces.end(), ns) == namespaces.end()) {
        std::vector<std::string> nodes;
        for (const auto& name : namespaces)
            if (auto parsed = parse_netns_name(name)) nodes.push_back(parsed->node);
        if (nodes.empty())
            return fail(fmt::format("lab instance {} is not up: run `sniprobe lab up` first",
                                    instance.display_name()));
        return fail(fmt::format("no node '{}' in lab instance {} (nodes: {})", node,
                                instance.display_name(), join(nodes, ", ")));
    }
    std::vector<std::string> argv{"ip", "netns", "exec", ns};
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
}

}  // namespace sniprobe::lab
