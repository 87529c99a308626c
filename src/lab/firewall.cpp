// iptables-nft rules of the lab; see firewall.hpp. The NFQUEUE rule uses
// --queue-bypass: when no middlebox is bound (it crashed, or is still starting) packets
// pass instead of vanishing, and `lab status` reports the dead middlebox. Both families
// go to the one queue (ip6tables-nft for IPv6; native nft `queue` is not in this kernel).
#include "lab/firewall.hpp"

#include <utility>
#include "lab/netns.hpp"
#include "util/subprocess.hpp"

namespace sniprobe::lab {

std::vector<FirewallRule> plan_firewall(const Topology& topology, const LabConfig& config) {
    std::vector<FirewallRule> rules;
    const std::string middlebox = topology.middlebox_node();
    // TCP for both families; UDP (QUIC: the middlebox opens the first Initial of each
    // flow) for IPv4 only, as the QUIC rules read IPv4 flows. All to the one queue.
    const std::pair<const char*, const char*> queued[] = {
        {"iptables-nft", "tcp"}, {"ip6tables-nft", "tcp"}, {"iptables-nft", "udp"}};
    for (const auto& [tool, protocol] : queued) {
        if (!config.runs_middlebox()) break;
        rules.push_back({middlebox,
                         {tool,
                          "-w",
                          "-t",
                          "mangle",
                          "-A",
                          "PREROUTING",
                          "-p",
                          protocol,
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
    if (config.path_mtu > 0) {
        // A link with a small MTU (a tunnel, a PPPoE hop) and routers that tell no one:
        // the server's full-size segments vanish, small ones pass.
        for (const auto& link : topology.links) {
            if (!((link.left.node == "r1" && link.right.node == "r2") ||
                  (link.left.node == "r2" && link.right.node == "r1")))
                continue;
            for (const LinkEnd* end : {&link.left, &link.right})
                rules.push_back({end->node,
                                 {"ip", "link", "set", "dev", end->ifname, "mtu",
                                  std::to_string(config.path_mtu)}});
        }
        for (const char* router : {"r1", "r2"}) {
            rules.push_back({router,
                             {"iptables-nft", "-w", "-A", "OUTPUT", "-p", "icmp", "--icmp-type",
                              "fragmentation-needed", "-m", "comment", "--comment",
                              "sniprobe-path-mtu", "-j", "DROP"}});
            rules.push_back({router,
                             {"ip6tables-nft", "-w", "-A", "OUTPUT", "-p", "icmpv6",
                              "--icmpv6-type", "packet-too-big", "-m", "comment", "--comment",
                              "sniprobe-path-mtu", "-j", "DROP"}});
        }
    }
    if (config.server_reset_large) {
        const std::string large = std::to_string(k_large_segment_bytes) + ":65535";
        for (const char* tool : {"iptables-nft", "ip6tables-nft"})
            rules.push_back({"server", {tool,       "-w",        "-A",
                                        "INPUT",    "-p",        "tcp",
                                        "-m",       "multiport", "--dports",
                                        "443,8443", "-m",        "length",
                                        "--length", large,       "-m",
                                        "comment",  "--comment", "sniprobe-server-reset-large",
                                        "-j",       "REJECT",    "--reject-with",
                                        "tcp-reset"}});
    }
    if (config.server_connlimit > 0) {
        const std::string above = std::to_string(config.server_connlimit);
        rules.push_back({"server",
                         {"iptables-nft",
                          "-w",
                          "-A",
                          "INPUT",
                          "-p",
                          "tcp",
                          "--syn",
                          "--dport",
                          "443",
                          "-m",
                          "connlimit",
                          "--connlimit-above",
                          above,
                          "--connlimit-mask",
                          "32",
                          "-m",
                          "comment",
                          "--comment",
                          "sniprobe-server-connlimit",
                          "-j",
                          "REJECT",
                          "--reject-with",
                          "tcp-reset"}});
        rules.push_back({"server",
                         {"ip6tables-nft",
                          "-w",
                          "-A",
                          "INPUT",
                          "-p",
                          "tcp",
                          "--syn",
                          "--dport",
                          "443",
                          "-m",
                          "connlimit",
                          "--connlimit-above",
                          above,
                          "--connlimit-mask",
                          "128",
                          "-m",
                          "comment",
                          "--comment",
                          "sniprobe-server-connlimit",
                          "-j",
                          "REJECT",
                          "--reject-with",
                          "tcp-reset"}});
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
