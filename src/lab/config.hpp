// What `sniprobe lab up` was asked to build: the instance, the middlebox rules (a
// shipped profile, a rules file, or none), where the middlebox sits, and the two
// server-side scenarios that need no middlebox (the server's own kernel resets a name;
// the address is black-holed on the way).
#pragma once

#include <string>

#include "lab/instance.hpp"

namespace sniprobe::lab {

// Whether the middlebox router black-holes TCP to the server's port 443.
enum class BlockAddress { no, yes };

// A segment this large is the first of a ClientHello that spans two (1460-byte MSS).
inline constexpr int k_large_segment_bytes = 1400;

// The profile name that means "run no middlebox".
inline constexpr const char* k_no_middlebox = "none";

// Everything `lab up` needs.
struct LabConfig {
    Instance instance;
    std::string profile = "seed";   // a shipped middlebox profile, or "none"
    std::string rules_file;         // a rules file; when set it replaces `profile`
    int middlebox_hop = 2;          // 1..3: the router rN that runs the middlebox
    std::string server_reset_name;  // non-empty: the server's kernel resets handshakes naming it
    BlockAddress block_address = BlockAddress::no;
    // Path MTU black hole: 0 = off; else the r1-r2 link's MTU, with the routers'
    // ICMP "fragmentation needed" / "packet too big" dropped, so no one learns it.
    int path_mtu = 0;
    // The server's firewall resets every TCP segment to 443/8443 of k_large_segment_bytes
    // or more: a load balancer that breaks on ClientHellos spanning two segments.
    bool server_reset_large = false;
    // A busy server: 0 = off; else the server's firewall rejects (TCP reset to the SYN) a
    // client's connections to 443 beyond this many at once (iptables connlimit).
    int server_connlimit = 0;
    // A busy server, nginx's way: 0 = off; else nginx's stream limit_conn on 443 closes a
    // client's connections beyond this many at once, after accept, before the handshake.
    int server_limit_conn = 0;

    // True unless the profile is "none" (a rules file always runs the middlebox).
    bool runs_middlebox() const { return !rules_file.empty() || profile != k_no_middlebox; }
};

}  // namespace sniprobe::lab
