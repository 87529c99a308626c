// The lab's iptables-nft rules, planned as data and applied inside the namespaces:
// the middlebox's NFQUEUE hook (mangle PREROUTING, not FORWARD: a TTL-limited probe that
// expires at the middlebox router must still be seen by it, as a real DPI box sees it),
// --block-address (DROP in the middlebox router) and --server-reset (REJECT with
// tcp-reset in the server's INPUT: the "your own server sends that reset" case). Every
// rule carries a `sniprobe-...` comment so a reader of `iptables -S` knows who made it.
#pragma once

#include <string>
#include <vector>

#include "lab/config.hpp"
#include "lab/topology.hpp"
#include "util/result.hpp"

namespace sniprobe::lab {

// The netfilter queue the middlebox binds.
inline constexpr int k_middlebox_queue = 0;
// Ports the middlebox sees, in both directions.
inline constexpr const char* k_middlebox_ports = "80,443,8443";

// One command to run in one node's namespace.
struct FirewallRule {
    std::string node;
    std::vector<std::string> argv;  // starts with iptables-nft or ip6tables-nft
};

// Plans the rules for a configuration (empty for a clean lab without a middlebox).
std::vector<FirewallRule> plan_firewall(const Topology& topology, const LabConfig& config);

// Runs each rule inside its node's namespace; the first failure stops and is returned.
Result<void> apply_firewall(const Instance& instance, const std::vector<FirewallRule>& rules);

}  // namespace sniprobe::lab
