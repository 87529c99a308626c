// The lab's network as plain data (DESIGN.md §6): client — r1 — ... — rK — server, one
// /24 (and one fd77:<k>::/64) per link, K = max(2, middlebox hop). Subnet 1 gives the
// client .2 and r1 .1 (the client's gateway is .1, as on a home LAN); every later subnet
// gives its left end .1 and its right end .2, so the server is 10.77.<K+1>.2. Planning is
// a pure function, so the addresses, routes and hosts file are unit-tested without root.
#pragma once

#include <string>
#include <vector>

#include "lab/instance.hpp"
#include "util/result.hpp"

namespace sniprobe::lab {

// One end of a veth pair.
struct LinkEnd {
    std::string node;    // "client", "r1", ...
    std::string ifname;  // "to-<peer node>"
    std::string ipv4;    // "10.77.1.2"
    std::string ipv6;    // "fd77:1::2"
};

// A veth pair joining two neighbours on subnet 10.77.<subnet>.0/24.
struct Link {
    int subnet = 0;
    LinkEnd left, right;  // left is nearer the client
};

// A route in one node: destination prefix (or "default") via a neighbour's address.
struct Route {
    std::string node;
    std::string destination;  // "10.77.3.0/24", "fd77:3::/64" or "default"
    std::string via;          // "10.77.2.2"
};

// The whole plan.
struct Topology {
    int middlebox_hop = 2;           // router rN that runs the middlebox (1..3)
    int router_count = 2;            // K = max(2, middlebox_hop)
    std::vector<std::string> nodes;  // client, r1..rK, server
    std::vector<Link> links;         // nodes[i] — nodes[i+1] on subnet i+1
    std::vector<Route> routes;

    // "r<middlebox_hop>".
    std::string middlebox_node() const;
    // The server's addresses (10.77.<K+1>.2, fd77:<K+1>::2).
    std::string server_ipv4() const;
    std::string server_ipv6() const;
    // Every IPv4 / IPv6 address of a node, in link order.
    std::vector<std::string> ipv4_of(const std::string& node) const;
    std::vector<std::string> ipv6_of(const std::string& node) const;
    // True for r1..rK.
    bool is_router(const std::string& node) const;
};

// Plans the network for a middlebox at hop 1..3 (anything else: an error).
Result<Topology> plan_topology(int middlebox_hop);

// Names the lab's nginx serves (each resolves to the server in every namespace).
const std::vector<std::string>& served_names();

// /etc/hosts for the lab's namespaces: localhost, the node names, the served names.
std::string hosts_file(const Topology& topology);

// /etc/resolv.conf for the lab's namespaces: a loopback resolver nobody answers, so a
// name outside the hosts file fails at once instead of leaking to the host's DNS.
std::string resolv_conf();

// `ip -batch` lines (root namespace) that create the namespaces and veth pairs, each
// end created directly inside its namespace (nothing ever exists in the root one).
std::vector<std::string> root_batch(const Topology& topology, const Instance& instance);

// `ip -n <ns> -batch` lines for one node: lo and links up, addresses, routes.
std::vector<std::string> node_batch(const Topology& topology, const std::string& node);

}  // namespace sniprobe::lab
