// iptables-nft rules of the lab; see firewall.hpp. The NFQUEUE rule uses
// --queue-bypass: when no middlebox is bound (it crashed, or is still starting) packets
// pass instead of vanishing, and `lab status` reports the dead middlebox. IPv6 is not
// queued (the emulator speaks IPv4); --block-address covers both families.
#include "lab/firewall.hpp"

#include "lab/netns.hpp"
#include "util/subprocess.hpp"

namespace sniprobe::lab {

std::vector<FirewallRule> plan_firewall(const Topology& topology, const LabConfig& config) {
    std::vector<FirewallRule> rules;
    const std::string middlebox = topology.middlebox_node();
    if (config.runs_middlebox()) {
        rules.push_back({middlebox,
                         {"iptables-nft",
                          "-w",
                          "-t",
                          "mangle",
                          "-A",
                          "PREROUTING",
                          "-p",
                          "tcp",
                          "-m",
                          "multiport",
                          "--ports",
                          k_middlebox_ports,
                          "-m",
                          "comment",
                          "--comment",
                          "sniprobe-middlebox",
                          "-j",
                          "NFQUEUE",
                          "--queue-num",
                          std::to_string(k_middlebox_queue),
                          "--queue-bypass"}});
        // QUIC: the middlebox opens the first Initial of each UDP flow (quic rules).
        rules.push_back({middlebox,
                         {"iptables-nft",
                          "-w",
                          "-t",
                          "mangle",
                          "-A",
                          "PREROUTING",
                          "-p",
                          "udp",
                          "-m",
                          "multiport",
                          "--ports",
                          k_middlebox_ports,
                          "-m",
                          "comment",
                          "--comment",
                          "sniprobe-middlebox",
                          "-j",
                          "NFQUEUE",
                          "--queue-num",
                          std::to_string(k_middlebox_queue),
                          "--queue-bypass"}});
    }
    if (config.block_address == BlockAddress::yes) {
        rules.push_back({middlebox,
                         {"iptables-nft", "-w", "-A", "FORWARD", "-p", "tcp", "-d",
                          topology.server_ipv4(), "--dport", "443", "-m", "comment", "--comment",
                          "sniprobe-block-address", "-j", "DROP"}});
        rules.push_back({middlebox,
                         {"ip6tables-nft", "-w", "-A", "FORWARD", "-p", "tcp", "-d",
                          topology.server_ipv6(), "--dport", "443", "-m", "comment", "--comment",
                          "sniprobe-block-address", "-j", "DROP"}});
    }
    if (!config.server_reset_name.empty()) {
        for (const char* tool : {"iptables-nft", "ip6tables-nft"}) {
            rules.push_back({"server",
                             {tool,
                              "-w",
                              "-A",
                              "INPUT",
                              "-p",
                              "tcp",
                              "-m",
                              "multiport",
                              "--dports",
                              "443,8443",
                              "-m",
                              "string",
                              "--string",
                              config.server_reset_name,
                              "--algo",
                              "bm",
                              "-m",
                              "comment",
                              "--comment",
                              "sniprobe-server-reset",
                              "-j",
                              "REJECT",
                              "--reject-with",
                              "tcp-reset"}});
        }
    }
    return rules;
}

Result<void> apply_firewall(const Instance& instance, const std::vector<FirewallRule>& rules) {
    for (const auto& rule : rules) {
        // The child inherits the namespace of the thread that spawns it.
        auto applied = with_netns(instance.netns(rule.node), [&]() -> Result<void> {
            auto out = run_checked(rule.argv);
            if (!out) return tl::unexpected(out.error());
            return {};
        });
        if (!applied) return applied;
    }
    return {};
}

}  // namespace sniprobe::lab
