// The ring of connection records (see connection_table.hpp). Records are addressed by
// an increasing id, so the ring position of id i is i - front().id; the 4-tuple index
// points at the newest record of a tuple and is erased with it when the ring evicts.
// Client bytes are reassembled only in order and only until the ClientHello parses,
// within a per-connection and a global byte budget: garbage cannot make the sink grow.
#include "sink/connection_table.hpp"

#include <algorithm>
#include <cstring>
#include <span>

#include "model/packet.hpp"
#include "wire/client_hello.hpp"
#include "wire/packet.hpp"
#include "wire/packet_builder.hpp"

namespace sniprobe::sink {

namespace {

// "v|client|cport|server|sport" with raw address bytes: cheap and unambiguous.
std::string flow_key(const wire::TcpPacket& p, bool inbound) {
    const size_t n = p.ip_version == 4 ? 4 : 16;
    const uint8_t* client = inbound ? p.src : p.dst;
    const uint8_t* server = inbound ? p.dst : p.src;
    uint16_t cport = inbound ? p.src_port : p.dst_port;
    uint16_t sport = inbound ? p.dst_port : p.src_port;
    std::string key;
    key.reserve(2 * n + 5);
    key.push_back(static_cast<char>(p.ip_version));
    key.append(reinterpret_cast<const char*>(client), n);
    key.append(reinterpret_cast<const char*>(server), n);
    key.push_back(static_cast<char>(cport >> 8));
    key.push_back(static_cast<char>(cport & 0xff));
    key.push_back(static_cast<char>(sport >> 8));
    key.push_back(static_cast<char>(sport & 0xff));
    return key;
}

// The same key from address literals; "" when either does not parse or families differ.
std::string flow_key(const TlsNote& n) {
    const auto client = wire::parse_ip_address(n.client);
    const auto server = wire::parse_ip_address(n.server);
    if (!client || !server || client->version != server->version) return {};
    const size_t len = client->version == 4 ? 4 : 16;
    std::string key;
    key.push_back(static_cast<char>(client->version));
    key.append(reinterpret_cast<const char*>(client->bytes.data()), len);
    key.append(reinterpret_cast<const char*>(server->bytes.data()), len);
    key.push_back(static_cast<char>(n.client_port >> 8));
    key.push_back(static_cast<char>(n.client_port & 0xff));
    key.push_back(static_cast<char>(n.server_port >> 8));
    key.push_back(static_cast<char>(n.server_port & 0xff));
    return key;
}

TcpEvent event_of(const wire::TcpPacket& p, double t) {
    return TcpEvent{t, p.flags, p.ttl, p.ip_id, p.seq, p.window};
}

void push_bounded(std::vector<TcpEvent>& events, TcpEvent e) {
    if (events.size() < ConnectionTable::k_max_events_per_connection) events.push_back(e);
}

bool has(uint8_t flags, uint8_t bit) {
    return (flags & bit) != 0;
}

}  // namespace

ConnectionTable::ConnectionTable(size_t capacity, std::vector<uint16_t> watched_ports)
    : m_capacity(std::max<size_t>(capacity, 1)), m_watched_ports(std::move(watched_ports)) {}

bool ConnectionTable::watched(uint16_t port) const {
    return std::find(m_watched_ports.begin(), m_watched_ports.end(), port) != m_watched_ports.end();
}

ConnectionRecord* ConnectionTable::find(const std::string& key) {
    auto it = m_index.find(key);
    if (it == m_index.end() || m_ring.empty()) return nullptr;
    uint64_t front = m_ring.front().id;
    if (it->second < front) return nullptr;
    return &m_ring[static_cast<size_t>(it->second - front)];
}

void ConnectionTable::release_buffer(ConnectionRecord& r) {
    m_buffered_bytes -= r.hello_buffer.size();
    r.hello_buffer.clear();
    r.hello_buffer.shrink_to_fit();
}

ConnectionRecord& ConnectionTable::insert(const std::string& key, double t) {
    if (m_ring.size() >= m_capacity) {
        ConnectionRecord& old = m_ring.front();
        release_buffer(old);
        // The index may already point at a newer record of the same tuple: keep that.
        auto it = m_index.find(old.key);
        if (it != m_index.end() && it->second == old.id) m_index.erase(it);
        m_ring.pop_front();
        ++m_counters.evicted;
    }
    ConnectionRecord r;
    r.id = m_next_id++;
    r.key = key;
    r.first_seen = r.last_seen = t;
    m_ring.push_back(std::move(r));
    m_index[key] = m_ring.back().id;
    return m_ring.back();
}

void ConnectionTable::observe(const wire::TcpPacket& p, double t) {
    ++m_counters.packets;
    if (watched(p.dst_port))
        observe_inbound(p, t);
    else if (watched(p.src_port))
        observe_outbound(p, t);
    else
        ++m_counters.ignored;
}

void ConnectionTable::observe_inbound(const wire::TcpPacket& p, double t) {
    const std::string key = flow_key(p, true);
    ConnectionRecord* r = find(key);
    const bool syn = has(p.flags, tcp_flag::syn) && !has(p.flags, tcp_flag::ack);
    // A SYN with a new ISN on a known tuple is a new connection (source port reuse).
    if (r == nullptr || (syn && r->syn_seen && r->syn_seq != p.seq)) {
        r = &insert(key, t);
        r->client = p.src_string();
        r->client_port = p.src_port;
        r->server = p.dst_string();
        r->server_port = p.dst_port;
    }
    r->last_seen = t;
    if (syn) {
        if (!r->syn_seen) {
            r->syn_seen = true;
            r->syn_t = t;
            r->syn_ttl = p.ttl;
            r->syn_ip_id = p.ip_id;
            r->syn_seq = p.seq;
            r->hello_next_seq = p.seq + 1;
        }
        return;
    }
    if (has(p.flags, tcp_flag::rst) || has(p.flags, tcp_flag::fin))
        push_bounded(r->received, event_of(p, t));
    if (!p.payload.empty() && !r->hello_done) feed_hello(*r, p, t);
}

void ConnectionTable::feed_hello(ConnectionRecord& r, const wire::TcpPacket& p, double t) {
    if (r.hello_buffer.empty() && !r.syn_seen) r.hello_next_seq = p.seq;  // first seen mid-stream
    if (p.seq != r.hello_next_seq)
        return;  // out of order or a retransmission: wait for in-order bytes
    size_t room = std::min(k_max_hello_bytes - r.hello_buffer.size(),
                           k_max_buffered_bytes - m_buffered_bytes);
    size_t take = std::min(room, p.payload.size());
    r.hello_buffer.insert(r.hello_buffer.end(), p.payload.begin(),
                          p.payload.begin() + static_cast<std::ptrdiff_t>(take));
    m_buffered_bytes += take;
    r.hello_next_seq = p.seq + static_cast<uint32_t>(p.payload.size());
    // A snaplen-cut segment leaves a hole: parse what we have, then stop buffering.
    const bool cut = p.wire_payload_len > p.payload.size() || take < p.payload.size();

    auto parsed = wire::parse_client_hello(r.hello_buffer);
    if (parsed.anomaly == wire::HelloAnomaly::incomplete && !cut) return;
    r.hello_done = true;
    if (parsed.hello) {
        r.client_hello_seen = true;
        r.client_hello_t = t;
        r.sni = std::string(parsed.hello->sni());
    } else if (parsed.anomaly == wire::HelloAnomaly::incomplete) {
        // Truncated by our own budget: the SNI may still be readable.
        if (auto sni = wire::quick_sni(r.hello_buffer)) {
            r.client_hello_seen = true;
            r.client_hello_t = t;
            r.sni = *sni;
        } else {
            r.hello_anomaly = "truncated";
        }
    } else {
        r.hello_anomaly = std::string(wire::hello_anomaly_name(parsed.anomaly));
    }
    release_buffer(r);
}

void ConnectionTable::observe_outbound(const wire::TcpPacket& p, double t) {
    ConnectionRecord* r = find(flow_key(p, false));
    if (r == nullptr) return;  // the server talking on a connection we never saw arrive
    r->last_seen = t;
    if (has(p.flags, tcp_flag::rst)) push_bounded(r->sent_rst, event_of(p, t));
    if (!p.payload.empty() && !has(p.flags, tcp_flag::syn)) {
        if (r->server_bytes == 0) r->server_answer_t = t;
        r->server_bytes += std::max<size_t>(p.payload.size(), p.wire_payload_len);
    }
}

void ConnectionTable::note_tls(const TlsNote& n, double t) {
    const std::string key = flow_key(n);
    if (key.empty()) return;
    ConnectionRecord* r = find(key);
    if (r == nullptr) {
        r = &insert(key, t);
        r->client = n.client;
        r->client_port = n.client_port;
        r->server = n.server;
        r->server_port = n.server_port;
    }
    r->last_seen = std::max(r->last_seen, t);
    r->tls_terminated = true;
    r->tls_completed = n.completed;
    r->tls_t = t;
    r->tls_server_name = n.server_name;
    r->tls_version = n.version;
    r->tls_anomaly = n.anomaly;
    r->tls_error = n.error;
}

std::vector<const ConnectionRecord*> ConnectionTable::query(const std::string& client,
                                                            double since_unix, double until_unix,
                                                            size_t limit) const {
    std::vector<const ConnectionRecord*> out;
    for (const auto& r : m_ring) {
        if (out.size() >= limit) break;
        if (!client.empty() && r.client != client) continue;
        if (r.last_seen < since_unix || r.first_seen > until_unix) continue;
        out.push_back(&r);
    }
    return out;
}

}  // namespace sniprobe::sink
