// Address and route planning for the lab; see topology.hpp. Routers get an explicit
// route for every subnet they are not on (towards the client through their left
// neighbour, towards the server through their right one); the two end hosts get a
// default route. IPv6 mirrors IPv4 with fd77:<subnet>::<host>/64 and `nodad`, so the
// addresses are usable at once instead of after duplicate address detection.
#include "lab/topology.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace sniprobe::lab {
namespace {

constexpr int k_max_middlebox_hop = 3;

// Host number of the left / right end of a subnet (subnet 1: client .2, r1 .1).
int left_host(int subnet) {
    return subnet == 1 ? 2 : 1;
}
int right_host(int subnet) {
    return subnet == 1 ? 1 : 2;
}

std::string v4(int subnet, int host) {
    return fmt::format("10.77.{}.{}", subnet, host);
}
std::string v6(int subnet, int host) {
    return fmt::format("fd77:{}::{}", subnet, host);
}
std::string v4_net(int subnet) {
    return fmt::format("10.77.{}.0/24", subnet);
}
std::string v6_net(int subnet) {
    return fmt::format("fd77:{}::/64", subnet);
}

}  // namespace

std::string Topology::middlebox_node() const {
    return fmt::format("r{}", middlebox_hop);
}

std::string Topology::server_ipv4() const {
    return v4(router_count + 1, 2);
}

std::string Topology::server_ipv6() const {
    return v6(router_count + 1, 2);
}

std::vector<std::string> Topology::ipv4_of(const std::string& node) const {
    std::vector<std::string> out;
    for (const auto& link : links) {
        if (link.left.node == node) out.push_back(link.left.ipv4);
        if (link.right.node == node) out.push_back(link.right.ipv4);
    }
    return out;
}

std::vector<std::string> Topology::ipv6_of(const std::string& node) const {
    std::vector<std::string> out;
    for (const auto& link : links) {
        if (link.left.node == node) out.push_back(link.left.ipv6);
        if (link.right.node == node) out.push_back(link.right.ipv6);
    }
    return out;
}

bool Topology::is_router(const std::string& node) const {
    return node != nodes.front() && node != nodes.back() &&
           std::find(nodes.begin(), nodes.end(), node) != nodes.end();
}

Result<Topology> plan_topology(int middlebox_hop) {
    if (middlebox_hop < 1 || middlebox_hop > k_max_middlebox_hop)
        return fail(fmt::format("--middlebox-hop must be 1..{} (got {})", k_max_middlebox_hop,
                                middlebox_hop));
    Topology t;
    t.middlebox_hop = middlebox_hop;
    t.router_count = std::max(2, middlebox_hop);
    t.nodes.push_back("client");
    for (int i = 1; i <= t.router_count; ++i) t.nodes.push_back(fmt::format("r{}", i));
    t.nodes.push_back("server");

    for (size_t i = 0; i + 1 < t.nodes.size(); ++i) {
        int subnet = static_cast<int>(i) + 1;
        const auto& a = t.nodes[i];
        const auto& b = t.nodes[i + 1];
        t.links.push_back(
            Link{subnet,
                 {a, "to-" + b, v4(subnet, left_host(subnet)), v6(subnet, left_host(subnet))},
                 {b, "to-" + a, v4(subnet, right_host(subnet)), v6(subnet, right_host(subnet))}});
    }

    const int subnets = static_cast<int>(t.links.size());
    t.routes.push_back({"client", "default", v4(1, right_host(1))});
    t.routes.push_back({"client", "default", v6(1, right_host(1))});
    t.routes.push_back({"server", "default", v4(subnets, left_host(subnets))});
    t.routes.push_back({"server", "default", v6(subnets, left_host(subnets))});
    // Router ri sits on subnets i (left) and i+1 (right).
    for (int i = 1; i <= t.router_count; ++i) {
        const std::string node = fmt::format("r{}", i);
        for (int subnet = 1; subnet <= subnets; ++subnet) {
            if (subnet == i || subnet == i + 1) continue;
            bool leftwards = subnet < i;
            int via_subnet = leftwards ? i : i + 1;
            int via_host = leftwards ? left_host(via_subnet) : right_host(via_subnet);
            t.routes.push_back({node, v4_net(subnet), v4(via_subnet, via_host)});
            t.routes.push_back({node, v6_net(subnet), v6(via_subnet, via_host)});
        }
    }
    return t;
}

const std::vector<std::string>& served_names() {
    static const std::vector<std::string> names{"blocked.test", "ok.test",       "chain.test",
                                                "expired.test", "mismatch.test", "default.test",
                                                "unknown.test", "other.test",    "dual.test"};
    return names;
}

std::string hosts_file(const Topology& topology) {
    std::string out =
        "# sniprobe lab: every name below is served by the lab's nginx or is a lab node\n"
        "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n";
    for (const auto& node : topology.nodes) {
        auto addresses = topology.ipv4_of(node);
        // The server answers on its own address; a router is named by its client-side one.
        const std::string& address = node == "server" ? addresses.back() : addresses.front();
        out += fmt::format("{} {}\n", address, node);
    }
    for (const auto& name : served_names())
        out += fmt::format("{} {}\n", topology.server_ipv4(), name);
    // The one dual-stack name: A and AAAA, for per-family verdicts.
    out += fmt::format("{} dual.test\n", topology.server_ipv6());
    return out;
}

std::string resolv_conf() {
    return "# sniprobe lab: no DNS inside the lab; names come from /etc/hosts\n"
           "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n";
}

std::vector<std::string> root_batch(const Topology& topology, const Instance& instance) {
    std::vector<std::string> lines;
    for (const auto& node : topology.nodes) lines.push_back("netns add " + instance.netns(node));
    for (const auto& link : topology.links)
        lines.push_back(fmt::format("link add {} netns {} type veth peer name {} netns {}",
                                    link.left.ifname, instance.netns(link.left.node),
                                    link.right.ifname, instance.netns(link.right.node)));
    return lines;
}

std::vector<std::string> node_batch(const Topology& topology, const std::string& node) {
    std::vector<std::string> lines{"link set lo up"};
    for (const auto& link : topology.links) {
        for (const LinkEnd* end : {&link.left, &link.right}) {
            if (end->node != node) continue;
            lines.push_back(fmt::format("link set {} up", end->ifname));
            lines.push_back(fmt::format("address add {}/24 dev {}", end->ipv4, end->ifname));
            lines.push_back(fmt::format("address add {}/64 dev {} nodad", end->ipv6, end->ifname));
        }
    }
    for (const auto& route : topology.routes) {
        if (route.node != node) continue;
        lines.push_back(fmt::format("route add {} via {}", route.destination, route.via));
    }
    return lines;
}

}  // namespace sniprobe::lab
