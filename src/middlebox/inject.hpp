// The forged packets of one trigger, as pure data (wire::TcpSpec): which RSTs, FINs or
// block page go to which end, with which sequence numbers, in which order around the
// original's verdict. The quirk everything here serves: an end accepts an RST only if
// its sequence number is exactly the next one it expects (RFC 5961; anything else in
// the window earns a challenge ACK), so the client's RST carries the server's next
// sequence number, and the server's RST carries the client's sequence number as the
// server will expect it *when the RST arrives*: the trigger's seq if the original was
// dropped or is still held, seq + payload length if the original was released first.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "middlebox/flow.hpp"
#include "middlebox/rules.hpp"
#include "wire/packet_builder.hpp"

namespace sniprobe::middlebox {

// The client->server segment that fired a rule, and what the box knows of the flow.
struct TriggerSegment {
    int version = 4;
    IpBytes client_ip{}, server_ip{};
    uint16_t client_port = 0, server_port = 0;
    uint32_t client_seq = 0;    // the trigger segment's sequence number
    uint32_t payload_len = 0;   // its payload bytes
    uint32_t server_next = 0;   // the server's next sequence number (ISN + 1 + bytes sent)
    uint16_t client_ip_id = 0;  // the trigger's IP ID (for ip_id = "copy")
};

// A SYN that arrives on a tuple under residual blocking.
struct SynSegment {
    int version = 4;
    IpBytes client_ip{}, server_ip{};
    uint16_t client_port = 0, server_port = 0;
    uint32_t client_isn = 0;
    uint16_t client_ip_id = 0;
};

// What to send around the original packet's verdict, in this order.
struct InjectionPlan {
    std::vector<wire::TcpSpec>
        before_verdict;          // sent first (the client's RSTs: they must win the race)
    bool drop_original = false;  // the verdict: drop (in-path) or release (on-path)
    std::vector<wire::TcpSpec> after_verdict;  // sent once the original is released
};

// The forged packets for a rule that fired on `trigger`; `rng` draws random IP IDs.
InjectionPlan plan_injection(const Rule& rule, const TriggerSegment& trigger, std::mt19937_64& rng);

// The RST+ACKs that refuse a SYN on a tuple under residual blocking (rst_* actions).
std::vector<wire::TcpSpec> plan_syn_reset(const Rule& rule, const SynSegment& syn,
                                          std::mt19937_64& rng);

// The block page's HTTP response (403, `Server: Beaver`, "Non-compliance ICP Filing").
const std::string& blockpage_response();

// The IP ID a forged packet gets under `fp`; `copied` is the trigger's own IP ID.
uint16_t choose_ip_id(const Fingerprint& fp, uint16_t copied, std::mt19937_64& rng);

}  // namespace sniprobe::middlebox
