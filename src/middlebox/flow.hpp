// Per-flow state of the DPI emulator: which way a connection goes, the next sequence
// number each end will send (so forged packets are exact), the buffered client stream
// for reassembly, and the flow's fate once decided (a rule's probability is drawn once
// per connection). The table is bounded: the least recently seen flow is evicted when
// full and idle flows expire, so a flood cannot grow the box without limit — as real
// DPI boxes forget flows, which is itself a known evasion.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

namespace sniprobe::middlebox {

// A TCP connection, oriented client -> server.
// An IPv4 (first 4 bytes) or IPv6 address, network order; keys carry the version too.
using IpBytes = std::array<uint8_t, 16>;

struct FlowKey {
    int version = 4;
    IpBytes client_ip{}, server_ip{};
    uint16_t client_port = 0, server_port = 0;
    bool operator==(const FlowKey&) const = default;
};

// The (client, server, server port) tuple that residual blocking remembers.
struct TupleKey {
    int version = 4;
    IpBytes client_ip{}, server_ip{};
    uint16_t server_port = 0;
    bool operator==(const TupleKey&) const = default;
};

struct FlowKeyHash {
    size_t operator()(const FlowKey& k) const;
};
struct TupleKeyHash {
    size_t operator()(const TupleKey& k) const;
};

// What the box has decided about a flow.
enum class FlowFate {
    undecided,   // still inspecting the client's first bytes
    spared,      // inspected, no rule fired (or the probability spared it)
    triggered,   // a rule fired and its packets were forged
    blackholed,  // every later packet of the flow is dropped
};

// Largest client stream buffered for reassembly; longer hellos are given up on.
inline constexpr size_t k_max_stream_bytes = 16 * 1024;

struct Flow {
    FlowKey key;
    bool syn_seen = false;
    bool synack_seen = false;
    uint32_t client_next = 0;  // next client seq (valid once syn_seen or data seen)
    uint32_t server_next = 0;  // next server seq (valid once synack_seen)
    bool server_next_known = false;
    std::vector<uint8_t> stream;  // client bytes from the first data byte on, in order
    uint32_t stream_next = 0;     // seq of the byte after `stream`
    bool stream_started = false;
    bool stream_broken = false;  // a gap: reassembly gave up
    FlowFate fate = FlowFate::undecided;
    int rule = -1;                 // the rule that fired (or is forced by residual blocking)
    bool residual_forced = false;  // the tuple was blocked: the rule fires on the first data
    bool in_path_cut = false;      // an in-path rule fired: later packets are dropped
    uint64_t last_seen_ms = 0;
};

// True when sequence number a is after b (modulo 2^32).
inline bool seq_after(uint32_t a, uint32_t b) {
    return static_cast<int32_t>(a - b) > 0;
}

// Appends a client segment to the flow's stream when it continues it; a retransmitted
// prefix is trimmed, a gap marks the stream broken. Returns true if bytes were added.
bool append_to_stream(Flow& flow, uint32_t seq, const uint8_t* data, size_t len);

// Bounded LRU table of flows with idle expiry.
class FlowTable {
  public:
    FlowTable(size_t max_flows, uint64_t idle_ms);

    // The flow, refreshed as most recently seen; nullptr when unknown.
    Flow* find(const FlowKey& key, uint64_t now_ms);
    // A new flow (replacing any old state under the key), evicting the oldest when full.
    Flow& insert(const FlowKey& key, uint64_t now_ms);
    // Forgets flows idle for longer than idle_ms.
    void expire(uint64_t now_ms);

    size_t size() const { return m_index.size(); }
    uint64_t evicted() const { return m_evicted; }
    uint64_t expired() const { return m_expired; }

  private:
    using List = std::list<Flow>;
    size_t m_max_flows;
    uint64_t m_idle_ms;
    List m_lru;  // front = most recently seen
    std::unordered_map<FlowKey, List::iterator, FlowKeyHash> m_index;
    uint64_t m_evicted = 0, m_expired = 0;
};

// Tuples under residual blocking, each with the rule that blocked it and an expiry.
class ResidualTable {
  public:
    explicit ResidualTable(size_t max_entries) : m_max_entries(max_entries) {}

    // Blocks the tuple until `until_ms` for `rule` (extends an existing block).
    void block(const TupleKey& key, int rule, uint64_t until_ms);
    // The rule blocking the tuple at `now_ms`, if any (expired entries are removed).
    std::optional<int> blocked(const TupleKey& key, uint64_t now_ms);

    size_t size() const { return m_entries.size(); }

  private:
    struct Entry {
        int rule = -1;
        uint64_t until_ms = 0;
    };
    size_t m_max_entries;
    std::unordered_map<TupleKey, Entry, TupleKeyHash> m_entries;
};

}  // namespace sniprobe::middlebox
