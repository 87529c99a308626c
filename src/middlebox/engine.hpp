// The DPI emulator's decisions, without any socket: a packet (raw IPv4 bytes, as
// NFQUEUE hands it over) and the time go in; a verdict, a hold time and the forged
// packets to send come out. nfqueue_runner.cpp executes the decisions; tests drive this
// class directly with hand-built packets, so every rule is testable without root.
// Malformed packets are counted as named anomalies and accepted, never a crash.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "middlebox/flow.hpp"
#include "middlebox/inject.hpp"
#include "middlebox/rules.hpp"

namespace sniprobe::middlebox {

// What to do with one queued packet.
struct Decision {
    bool drop = false;                  // the final verdict: drop (true) or accept
    uint32_t delay_ms = 0;              // hold the packet this long before acting
    std::vector<wire::TcpSpec> before;  // inject, then give the verdict...
    std::vector<wire::TcpSpec> after;   // ...then inject these
    std::string log;                    // one line for a trigger; empty otherwise
};

// Running totals, printed on SIGUSR1 and at exit.
struct Counters {
    uint64_t packets = 0, accepted = 0, dropped = 0, held = 0, injected = 0;
    uint64_t flows = 0, triggers = 0, spared = 0, residual_hits = 0;
    std::map<std::string, uint64_t> anomalies;         // "packet:too_short", "tls:not_tls", ...
    std::map<std::string, uint64_t> triggers_by_rule;  // rule name -> triggers
};

// Tunables of the engine.
struct EngineOptions {
    uint64_t seed = 0;  // RNG seed: probabilities and random IP IDs
    size_t max_flows = 65536;
    uint64_t idle_ms = 120000;    // forget flows idle this long
    size_t max_residual = 65536;  // residual-blocked tuples remembered
};

struct PacketView;  // a decoded IPv4/TCP packet (engine.cpp)

class Engine {
  public:
    Engine(Rules rules, EngineOptions options);

    // Decides the fate of one packet seen at `now_ms` (a monotonic clock).
    Decision handle(std::span<const uint8_t> ip_packet, uint64_t now_ms);

    const Counters& counters() const { return m_counters; }
    // The counters as one line ("middlebox: packets=.. accepted=.. ...").
    std::string counters_line() const;
    const Rules& rules() const { return m_rules; }
    size_t flow_count() const { return m_flows.size(); }

  private:
    Decision on_syn(const PacketView& p, uint64_t now_ms);
    Decision on_client_data(Flow& flow, const PacketView& p, uint64_t now_ms);
    Decision fire(Flow& flow, int rule_index, const PacketView& p, const std::string& what,
                  uint64_t now_ms);
    int match_rules(Flow& flow, const PacketView& p, std::string& what, bool& need_more);
    Decision finish(Decision d);
    Decision on_udp(std::span<const uint8_t> bytes, uint64_t now_ms);

    // A QUIC residual block: the client's datagrams to the tuple drop from `from_ms` on.
    struct QuicBlock {
        uint64_t from_ms = 0, until_ms = 0;
        int rule = -1;
    };
    Rules m_rules;
    EngineOptions m_options;
    std::mt19937_64 m_rng;
    FlowTable m_flows;
    ResidualTable m_residual;
    std::unordered_map<FlowKey, uint64_t, FlowKeyHash> m_udp_seen;  // UDP flow -> first seen
    // UDP flows whose first Initial a `drop` rule took -> when: the rest of the flow (a
    // hello's second Initial) goes too, as a stateful box drops a flow, not one packet.
    std::unordered_map<FlowKey, uint64_t, FlowKeyHash> m_udp_dropped;
    std::unordered_map<TupleKey, QuicBlock, TupleKeyHash> m_quic_blocks;
    Counters m_counters;
    uint64_t m_last_expire_ms = 0;
};

}  // namespace sniprobe::middlebox
