// Flow table, residual table and in-order stream assembly (see flow.hpp).
#include "middlebox/flow.hpp"

#include <algorithm>
#include <cstring>

namespace sniprobe::middlebox {
namespace {

size_t mix(size_t h, uint64_t v) {
    return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

size_t mix_ip(size_t h, const IpBytes& ip) {
    uint64_t hi = 0, lo = 0;
    std::memcpy(&hi, ip.data(), 8);
    std::memcpy(&lo, ip.data() + 8, 8);
    return mix(mix(h, hi), lo);
}

}  // namespace

size_t FlowKeyHash::operator()(const FlowKey& k) const {
    size_t h = mix_ip(static_cast<size_t>(k.version), k.client_ip);
    h = mix_ip(h, k.server_ip);
    return mix(h, (uint64_t{k.client_port} << 16) | k.server_port);
}

size_t TupleKeyHash::operator()(const TupleKey& k) const {
    size_t h = mix_ip(static_cast<size_t>(k.version), k.client_ip);
    h = mix_ip(h, k.server_ip);
    return mix(h, k.server_port);
}

bool append_to_stream(Flow& flow, uint32_t seq, const uint8_t* data, size_t len) {
    if (len == 0 || flow.stream_broken) return false;
    if (!flow.stream_started) {
        flow.stream_started = true;
        flow.stream_next = seq;
    }
    uint32_t end = seq + static_cast<uint32_t>(len);
    if (!seq_after(end, flow.stream_next)) return false;  // pure retransmission
    if (seq_after(seq, flow.stream_next)) {               // a hole: we cannot reassemble
        flow.stream_broken = true;
        return false;
    }
    size_t skip = flow.stream_next - seq;  // retransmitted prefix
    size_t take = len - skip;
    if (flow.stream.size() + take > k_max_stream_bytes)
        take = k_max_stream_bytes - flow.stream.size();
    flow.stream.insert(flow.stream.end(), data + skip, data + skip + take);
    flow.stream_next += static_cast<uint32_t>(take);
    return take > 0;
}

FlowTable::FlowTable(size_t max_flows, uint64_t idle_ms)
    : m_max_flows(max_flows == 0 ? 1 : max_flows), m_idle_ms(idle_ms) {}

Flow* FlowTable::find(const FlowKey& key, uint64_t now_ms) {
    auto it = m_index.find(key);
    if (it == m_index.end()) return nullptr;
    m_lru.splice(m_lru.begin(), m_lru, it->second);
    it->second->last_seen_ms = now_ms;
    return &*it->second;
}

Flow& FlowTable::insert(const FlowKey& key, uint64_t now_ms) {
    if (auto it = m_index.find(key); it != m_index.end()) {
        m_lru.erase(it->second);
        m_index.erase(it);
    }
    while (m_index.size() >= m_max_flows) {
        m_index.erase(m_lru.back().key);
        m_lru.pop_back();
        ++m_evicted;
    }
    m_lru.push_front(Flow{});
    Flow& flow = m_lru.front();
    flow.key = key;
    flow.last_seen_ms = now_ms;
    m_index.emplace(key, m_lru.begin());
    return flow;
}

void FlowTable::expire(uint64_t now_ms) {
    while (!m_lru.empty() && now_ms - m_lru.back().last_seen_ms > m_idle_ms) {
        m_index.erase(m_lru.back().key);
        m_lru.pop_back();
        ++m_expired;
    }
}

void ResidualTable::block(const TupleKey& key, int rule, uint64_t until_ms) {
    if (m_entries.size() >= m_max_entries && !m_entries.contains(key)) {
        // Full: forget the entry that expires first (bounded memory beats perfect memory).
        auto oldest = m_entries.begin();
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
            if (it->second.until_ms < oldest->second.until_ms) oldest = it;
        m_entries.erase(oldest);
    }
    Entry& e = m_entries[key];
    e.rule = rule;
    e.until_ms = std::max(e.until_ms, until_ms);
}

std::optional<int> ResidualTable::blocked(const TupleKey& key, uint64_t now_ms) {
    auto it = m_entries.find(key);
    if (it == m_entries.end()) return std::nullopt;
    if (now_ms >= it->second.until_ms) {
        m_entries.erase(it);
        return std::nullopt;
    }
    return it->second.rule;
}

}  // namespace sniprobe::middlebox
