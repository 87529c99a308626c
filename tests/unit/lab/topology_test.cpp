// The lab's address plan (DESIGN.md §6): client 10.77.1.2 (gw .1), r1 10.77.1.1 +
// 10.77.2.1, r2 10.77.2.2 + 10.77.3.1, server 10.77.3.2; a middlebox at hop 3 adds r3
// and moves the server to 10.77.4.2. Routes must reach every subnet from every node.
#include "lab/topology.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace sniprobe::lab {
namespace {

using Strings = std::vector<std::string>;

bool has_route(const Topology& t, const std::string& node, const std::string& dest,
               const std::string& via) {
    return std::any_of(t.routes.begin(), t.routes.end(), [&](const Route& r) {
        return r.node == node && r.destination == dest && r.via == via;
    });
}

TEST(Topology, DefaultPlanMatchesTheDesign) {
    auto t = plan_topology(2);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->nodes, (Strings{"client", "r1", "r2", "server"}));
    EXPECT_EQ(t->ipv4_of("client"), (Strings{"10.77.1.2"}));
    EXPECT_EQ(t->ipv4_of("r1"), (Strings{"10.77.1.1", "10.77.2.1"}));
    EXPECT_EQ(t->ipv4_of("r2"), (Strings{"10.77.2.2", "10.77.3.1"}));
    EXPECT_EQ(t->ipv4_of("server"), (Strings{"10.77.3.2"}));
    EXPECT_EQ(t->ipv6_of("r2"), (Strings{"fd77:2::2", "fd77:3::1"}));
    EXPECT_EQ(t->server_ipv4(), "10.77.3.2");
    EXPECT_EQ(t->server_ipv6(), "fd77:3::2");
    EXPECT_EQ(t->middlebox_node(), "r2");
    EXPECT_TRUE(has_route(*t, "client", "default", "10.77.1.1"));
    EXPECT_TRUE(has_route(*t, "server", "default", "10.77.3.1"));
    EXPECT_TRUE(has_route(*t, "r1", "10.77.3.0/24", "10.77.2.2"));
    EXPECT_TRUE(has_route(*t, "r2", "10.77.1.0/24", "10.77.2.1"));
    EXPECT_TRUE(has_route(*t, "r2", "fd77:1::/64", "fd77:2::1"));
    EXPECT_TRUE(t->is_router("r1"));
    EXPECT_FALSE(t->is_router("client"));
    EXPECT_FALSE(t->is_router("r3"));
}

TEST(Topology, MiddleboxAtHopThreeAddsARouter) {
    auto t = plan_topology(3);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->nodes, (Strings{"client", "r1", "r2", "r3", "server"}));
    EXPECT_EQ(t->middlebox_node(), "r3");
    EXPECT_EQ(t->server_ipv4(), "10.77.4.2");
    EXPECT_EQ(t->ipv4_of("r3"), (Strings{"10.77.3.2", "10.77.4.1"}));
    // r1 reaches the far subnets through r2, r3 reaches the client through r2.
    EXPECT_TRUE(has_route(*t, "r1", "10.77.3.0/24", "10.77.2.2"));
    EXPECT_TRUE(has_route(*t, "r1", "10.77.4.0/24", "10.77.2.2"));
    EXPECT_TRUE(has_route(*t, "r3", "10.77.1.0/24", "10.77.3.1"));
    EXPECT_TRUE(has_route(*t, "r2", "10.77.4.0/24", "10.77.3.2"));
}

TEST(Topology, MiddleboxAtHopOneKeepsTwoRouters) {
    auto t = plan_topology(1);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->router_count, 2);
    EXPECT_EQ(t->middlebox_node(), "r1");
    EXPECT_EQ(t->server_ipv4(), "10.77.3.2");
}

TEST(Topology, RejectsHopsOutsideOneToThree) {
    EXPECT_FALSE(plan_topology(0));
    EXPECT_FALSE(plan_topology(4));
}

TEST(Topology, EveryRouterHasARouteToEverySubnet) {
    for (int hop = 1; hop <= 3; ++hop) {
        auto t = plan_topology(hop);
        ASSERT_TRUE(t);
        for (int i = 1; i <= t->router_count; ++i) {
            std::string node = "r" + std::to_string(i);
            for (size_t subnet = 1; subnet <= t->links.size(); ++subnet) {
                std::string dest = "10.77." + std::to_string(subnet) + ".0/24";
                bool connected =
                    subnet == static_cast<size_t>(i) || subnet == static_cast<size_t>(i + 1);
                bool routed = std::any_of(t->routes.begin(), t->routes.end(), [&](const Route& r) {
                    return r.node == node && r.destination == dest;
                });
                EXPECT_TRUE(connected != routed) << node << " " << dest;
            }
        }
    }
}

TEST(Topology, HostsFileNamesTheServerAndTheNodes) {
    auto t = plan_topology(2);
    ASSERT_TRUE(t);
    std::string hosts = hosts_file(*t);
    for (const auto& name : served_names())
        EXPECT_NE(hosts.find("10.77.3.2 " + name + "\n"), std::string::npos) << name;
    EXPECT_NE(hosts.find("10.77.1.1 r1\n"), std::string::npos);
    EXPECT_NE(hosts.find("10.77.2.2 r2\n"), std::string::npos);
    EXPECT_NE(hosts.find("10.77.3.2 server\n"), std::string::npos);
    EXPECT_NE(hosts.find("127.0.0.1 localhost"), std::string::npos);
}

TEST(Topology, BatchesCreateLinksInsideNamespacesOnly) {
    auto t = plan_topology(2);
    auto inst = Instance::named("x");
    ASSERT_TRUE(t && inst);
    auto root = root_batch(*t, *inst);
    EXPECT_EQ(root.front(), "netns add sniprobe-x-client");
    EXPECT_NE(std::find(root.begin(), root.end(),
                        "link add to-r1 netns sniprobe-x-client type veth peer name to-client "
                        "netns sniprobe-x-r1"),
              root.end());
    auto client = node_batch(*t, "client");
    EXPECT_EQ(client.front(), "link set lo up");
    EXPECT_NE(std::find(client.begin(), client.end(), "address add 10.77.1.2/24 dev to-r1"),
              client.end());
    EXPECT_NE(std::find(client.begin(), client.end(), "address add fd77:1::2/64 dev to-r1 nodad"),
              client.end());
    EXPECT_NE(std::find(client.begin(), client.end(), "route add default via 10.77.1.1"),
              client.end());
}

}  // namespace
}  // namespace sniprobe::lab
