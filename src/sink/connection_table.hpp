// The sink's memory of what arrived: one record per TCP connection (4-tuple) to a
// watched port, kept in a ring of the last N connections so a flood cannot grow it.
// It is fed decoded packets in capture order and records what the server's host really
// received — the SYN (TTL, IP ID, ISN), the ClientHello and its SNI, every RST or FIN
// with its TTL and IP ID — and what it sent back (data, its own RSTs). The quirk: a
// source port can be reused within seconds, so a SYN with a new ISN on a known 4-tuple
// starts a new record instead of overwriting the old one; and a ClientHello may span
// several segments, so the first client bytes are buffered (bounded) until it parses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sniprobe::wire {
struct TcpPacket;
}

namespace sniprobe::sink {

// One RST or FIN as it arrived at (or left) the server's host.
struct TcpEvent {
    double t = 0;       // CLOCK_REALTIME seconds
    uint8_t flags = 0;  // tcp_flag bits
    uint8_t ttl = 0;
    uint16_t ip_id = 0;
    uint32_t seq = 0;
    uint16_t window = 0;
};

// Everything the sink knows about one connection.
struct ConnectionRecord {
    uint64_t id = 0;     // increasing, unique within one sink run
    std::string client;  // client address as the server sees it
    uint16_t client_port = 0;
    std::string server;  // local address the client reached
    uint16_t server_port = 0;
    double first_seen = 0, last_seen = 0;

    bool syn_seen = false;
    double syn_t = 0;
    uint8_t syn_ttl = 0;
    uint16_t syn_ip_id = 0;
    uint32_t syn_seq = 0;  // the client's ISN (survives most NATs)

    bool client_hello_seen = false;  // a whole ClientHello was parsed
    double client_hello_t = 0;
    std::string sni;            // its first server_name ("" when none)
    std::string hello_anomaly;  // the parser's anomaly when the bytes were not a hello

    uint64_t server_bytes = 0;   // payload bytes the server sent
    double server_answer_t = 0;  // when its first data left (0 = never)

    std::vector<TcpEvent> received;  // RSTs and FINs that arrived (bounded)
    std::vector<TcpEvent> sent_rst;  // RSTs the server's host sent (bounded)

    // Only when the sink terminates TLS itself (--cert/--key, tls_terminator.hpp):
    bool tls_terminated = false;  // the sink's own TLS listener handled this connection
    bool tls_completed = false;   // and the handshake completed
    double tls_t = 0;             // when it completed or failed
    std::string tls_server_name;  // the SNI the servername callback saw ("" = none)
    std::string tls_version;      // negotiated version ("TLSv1.3"), "" when not completed
    std::string tls_anomaly;      // why it did not complete ("" when it did)
    std::string tls_error;        // OpenSSL's reason, when it gave one

    std::string key;  // the table's 4-tuple key (not serialised)
    // Buffered client bytes while the ClientHello is incomplete (not serialised).
    std::vector<uint8_t> hello_buffer;
    uint32_t hello_next_seq = 0;
    bool hello_done = false;
};

// What the sink's own TLS listener concluded about one connection (note_tls).
struct TlsNote {
    std::string client;  // IP literal, as accept() saw the peer
    uint16_t client_port = 0;
    std::string server;  // local IP literal
    uint16_t server_port = 0;
    bool completed = false;
    std::string server_name, version, anomaly, error;
};

// What the table did with the packets it was fed.
struct TableCounters {
    uint64_t packets = 0;
    uint64_t ignored = 0;  // no watched port on either side
    uint64_t evicted = 0;  // records pushed out of the ring
};

// The ring of the last `capacity` connections.
class ConnectionTable {
  public:
    static constexpr size_t k_max_events_per_connection = 16;
    static constexpr size_t k_max_hello_bytes = 4096;         // per connection
    static constexpr size_t k_max_buffered_bytes = 8u << 20;  // all connections together

    // capacity: how many connections to keep; watched_ports: the server's ports.
    ConnectionTable(size_t capacity, std::vector<uint16_t> watched_ports);

    // Feeds one decoded packet captured at t (CLOCK_REALTIME seconds).
    void observe(const wire::TcpPacket& packet, double t);

    // Adds the TLS listener's outcome to the connection's record (made when the capture
    // has not seen it, e.g. without capture); a note with unparsable addresses is dropped.
    void note_tls(const TlsNote& note, double t);

    // Records of `client` ("" = any) whose last packet is at or after since_unix and whose
    // first is at or before until_unix, oldest first, at most `limit`.
    std::vector<const ConnectionRecord*> query(const std::string& client, double since_unix,
                                               double until_unix, size_t limit) const;

    size_t size() const { return m_ring.size(); }
    const TableCounters& counters() const { return m_counters; }

  private:
    ConnectionRecord* find(const std::string& key);
    ConnectionRecord& insert(const std::string& key, double t);
    void observe_inbound(const wire::TcpPacket& p, double t);
    void observe_outbound(const wire::TcpPacket& p, double t);
    void feed_hello(ConnectionRecord& r, const wire::TcpPacket& p, double t);
    void release_buffer(ConnectionRecord& r);
    bool watched(uint16_t port) const;

    size_t m_capacity;
    std::vector<uint16_t> m_watched_ports;
    std::deque<ConnectionRecord> m_ring;                // oldest first
    std::unordered_map<std::string, uint64_t> m_index;  // 4-tuple key -> newest record id
    uint64_t m_next_id = 1;
    size_t m_buffered_bytes = 0;  // sum of hello_buffer sizes
    TableCounters m_counters;
};

}  // namespace sniprobe::sink
