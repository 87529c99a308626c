// The lab's iptables rules: NFQUEUE in the middlebox router's mangle PREROUTING for
// ports 80/443/8443 only when a middlebox runs, DROP for --block-address, the server's
// own REJECT tcp-reset for --server-reset.
#include "lab/firewall.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sniprobe::lab {
namespace {

bool has(const std::vector<std::string>& argv, const std::vector<std::string>& seq) {
    return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
}

TEST(Firewall, MiddleboxQueuesInManglePreroutingOfItsRouter) {
    LabConfig config;
    for (int hop = 1; hop <= 3; ++hop) {
        config.middlebox_hop = hop;
        auto topology = plan_topology(hop);
        ASSERT_TRUE(topology);
        auto rules = plan_firewall(*topology, config);
        ASSERT_EQ(rules.size(), 3u);  // TCP for IPv4 and IPv6, UDP (QUIC) for IPv4: one queue
        EXPECT_EQ(rules[0].argv.front(), "iptables-nft");
        EXPECT_EQ(rules[1].argv.front(), "ip6tables-nft");
        EXPECT_EQ(rules[2].argv.front(), "iptables-nft");
        for (const auto& rule : rules) {
            EXPECT_EQ(rule.node, "r" + std::to_string(hop));
            EXPECT_TRUE(has(rule.argv, {"-t", "mangle", "-A", "PREROUTING"}));
            EXPECT_TRUE(has(rule.argv, {"-m", "multiport", "--ports", "80,443,8443"}));
            EXPECT_TRUE(has(rule.argv, {"-j", "NFQUEUE", "--queue-num", "0"}));
        }
        EXPECT_TRUE(has(rules[0].argv, {"-p", "tcp"}));
        EXPECT_TRUE(has(rules[1].argv, {"-p", "tcp"}));
        EXPECT_TRUE(has(rules[2].argv, {"-p", "udp"}));  // QUIC Initials, IPv4
    }
}

TEST(Firewall, NoMiddleboxNoRules) {
    LabConfig config;
    config.profile = "none";
    auto topology = plan_topology(2);
    EXPECT_TRUE(plan_firewall(*topology, config).empty());
    config.rules_file = "/some/rules.toml";  // a rules file always runs the middlebox
    EXPECT_EQ(plan_firewall(*topology, config).size(), 3u);  // TCP v4 + v6, UDP v4
}

TEST(Firewall, BlockAddressDropsPort443ToTheServerInTheMiddleboxRouter) {
    LabConfig config;
    config.profile = "none";
    config.block_address = BlockAddress::yes;
    auto topology = plan_topology(2);
    auto rules = plan_firewall(*topology, config);
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].node, "r2");
    EXPECT_TRUE(has(rules[0].argv, {"-d", "10.77.3.2", "--dport", "443"}));
    EXPECT_TRUE(has(rules[0].argv, {"-j", "DROP"}));
    EXPECT_EQ(rules[1].argv.front(), "ip6tables-nft");
    EXPECT_TRUE(has(rules[1].argv, {"-d", "fd77:3::2"}));
}

TEST(Firewall, ServerResetRejectsTheNameWithTcpReset) {
    LabConfig config;
    config.profile = "none";
    config.server_reset_name = "blocked.test";
    auto topology = plan_topology(2);
    auto rules = plan_firewall(*topology, config);
    ASSERT_EQ(rules.size(), 2u);
    for (const auto& rule : rules) {
        EXPECT_EQ(rule.node, "server");
        EXPECT_TRUE(has(rule.argv, {"-A", "INPUT"}));
        EXPECT_TRUE(has(rule.argv, {"-m", "string", "--string", "blocked.test"}));
        EXPECT_TRUE(has(rule.argv, {"-j", "REJECT", "--reject-with", "tcp-reset"}));
    }
}

TEST(Firewall, EveryRuleIsMarkedAsOurs) {
    LabConfig config;
    config.server_reset_name = "x.test";
    config.block_address = BlockAddress::yes;
    auto topology = plan_topology(2);
    for (const auto& rule : plan_firewall(*topology, config)) {
        auto it = std::find(rule.argv.begin(), rule.argv.end(), "--comment");
        ASSERT_NE(it, rule.argv.end());
        EXPECT_EQ((it + 1)->rfind("sniprobe-", 0), 0u);
    }
}

}  // namespace
}  // namespace sniprobe::lab
