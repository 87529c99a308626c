// The flow table: frames are decoded with capture/'s link decoder and wire/'s TCP/IP and
// ICMP decoders, keyed by the unordered pair of endpoints, and kept per flow as raw
// packet records (direction fixed when the flow ends and its client is known) and two
// byte streams reassembled by sequence number. Judging the flow (tls_judge.cpp) waits
// for its end, so packets captured out of order are judged in context.
#include "offline/flow_tracker.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "capture/attach.hpp"
#include "capture/link_frame.hpp"
#include "offline/tls_judge.hpp"
#include "wire/packet.hpp"
#include "wire/packet_builder.hpp"

namespace sniprobe::offline {

bool is_tls_port(uint16_t port) {
    switch (port) {
        case 443:
        case 465:
        case 563:
        case 636:
        case 853:
        case 989:
        case 990:
        case 992:
        case 993:
        case 994:
        case 995:
        case 4433:
        case 5061:
        case 8443:
            return true;
        default:
            return false;
    }
}

namespace {

constexpr uint64_t k_sweep_every_frames = 4096;
constexpr size_t k_max_out_of_order = 16;
constexpr size_t k_max_stream_marks = 256;
constexpr double k_duplicate_within_s = 0.0002;

struct Endpoint {
    std::array<uint8_t, 16> addr{};
    uint16_t port = 0;
    int version = 4;
    bool operator==(const Endpoint& o) const { return addr == o.addr && port == o.port; }
    bool operator<(const Endpoint& o) const {
        return std::tie(addr, port) < std::tie(o.addr, o.port);
    }
};

struct Key {
    Endpoint lo, hi;
    bool operator==(const Key& o) const { return lo == o.lo && hi == o.hi; }
};

struct KeyHash {
    size_t operator()(const Key& k) const {
        uint64_t h = 1469598103934665603ULL;
        auto mix = [&h](const uint8_t* p, size_t n) {
            for (size_t i = 0; i < n; ++i) {
                h ^= p[i];
                h *= 1099511628211ULL;
            }
        };
        mix(k.lo.addr.data(), k.lo.addr.size());
        mix(k.hi.addr.data(), k.hi.addr.size());
        const uint8_t ports[4] = {
            static_cast<uint8_t>(k.lo.port >> 8), static_cast<uint8_t>(k.lo.port),
            static_cast<uint8_t>(k.hi.port >> 8), static_cast<uint8_t>(k.hi.port)};
        mix(ports, sizeof ports);
        return h;
    }
};

Endpoint endpoint_of(const uint8_t (&addr)[16], uint16_t port, int version) {
    Endpoint e;
    std::memcpy(e.addr.data(), addr, version == 4 ? 4 : 16);
    e.port = port;
    e.version = version;
    return e;
}

std::string literal_of(const Endpoint& e) {
    wire::TcpPacket p;
    p.ip_version = e.version;
    std::memcpy(p.src, e.addr.data(), 16);
    return p.src_string();
}

// The bytes a stream holds (payload, frame marks, segments waiting for a gap).
size_t held_bytes(const Stream& s) {
    return s.bytes.capacity() + s.marks.capacity() * sizeof(s.marks[0]) + s.out_of_order_bytes +
           s.out_of_order.size() * (sizeof(OutOfOrder) + 48);
}

struct Flow {
    Endpoint a, b;  // a: the source of the flow's first packet
    std::string file;
    uint64_t first_frame = 0;
    double first_t = 0, last_t = 0;
    std::optional<double> closed_at;
    bool fin_a = false, fin_b = false;
    std::optional<uint32_t> syn_isn_a;  // ISN of a's pure SYN (port-reuse test)
    std::vector<RawPacket> packets;
    bool packets_capped = false;
    Stream stream_a, stream_b;  // bytes a sent, bytes b sent
    std::vector<IcmpRecord> icmp;
    uint64_t duplicates = 0;
    size_t held = 0;  // bytes this flow holds, as last counted (Impl::retained)
};

size_t held_bytes(const Flow& f) {
    // Each packet's payload head is a separate allocation of at most 16 bytes.
    return sizeof(Flow) + f.file.capacity() + held_bytes(f.stream_a) + held_bytes(f.stream_b) +
           f.packets.capacity() * (sizeof(RawPacket) + 16) +
           f.icmp.capacity() * (sizeof(IcmpRecord) + 16);
}

// Walks the records a stream holds so far and settles it where its clear text ends:
// the judge (walk_records) reads nothing past an encrypted record's header, a fatal or
// encrypted alert, or bytes that are not a TLS record (a plain-HTTP answer needs only its
// first bytes).
void settle(Stream& s) {
    constexpr size_t k_record_header = 5;
    constexpr size_t k_kept_when_not_tls = 64;
    const auto& b = s.bytes;
    while (!s.settled && s.record_at + k_record_header <= b.size()) {
        const uint8_t type = b[s.record_at];
        const size_t len = (static_cast<size_t>(b[s.record_at + 3]) << 8) | b[s.record_at + 4];
        const bool record = type >= 20 && type <= 24 && b[s.record_at + 1] == 3;
        if (!record) {
            s.settled = true;
            if (s.record_at == 0 && b.size() > k_kept_when_not_tls) {
                s.bytes.resize(k_kept_when_not_tls);
                s.bytes.shrink_to_fit();
            }
            return;
        }
        const bool encrypted = type == 20 || type == 23 || (type == 21 && len != 2);
        if (encrypted) {
            s.settled = true;
            return;
        }
        if (s.record_at + k_record_header + len > b.size()) return;  // still arriving
        if (type == 21 && b[s.record_at + k_record_header] == 2) {   // fatal alert
            s.settled = true;
            return;
        }
        s.record_at += k_record_header + len;
    }
}

// Appends a segment's payload to a stream by sequence number: each byte once, gaps
// waiting (bounded) for the segment that fills them, nothing past a snaplen cut, nothing
// once the stream's clear text is over.
void add_to_stream(Stream& s, uint32_t seq, std::span<const uint8_t> payload, size_t wire_len,
                   uint64_t frame, size_t limit) {
    if (wire_len == 0) return;
    if (!s.started) {
        s.started = true;
        s.next = seq;
    }
    const bool taking = !s.settled && !s.cut && s.bytes.size() < limit;
    const auto ahead = static_cast<int32_t>(seq - s.next);
    if (ahead > 0) {
        if (!taking) return;  // nothing after the gap would be kept
        if (s.out_of_order.size() < k_max_out_of_order &&
            s.out_of_order_bytes + payload.size() <= limit) {
            s.out_of_order_bytes += payload.size();
            s.out_of_order.emplace(
                seq,
                OutOfOrder{std::vector<uint8_t>(payload.begin(), payload.end()), wire_len, frame});
        } else {
            s.gap = true;
        }
        return;
    }
    const auto skip = static_cast<size_t>(-ahead);
    if (skip >= wire_len) return;  // retransmission of bytes already taken
    if (taking && skip <= payload.size()) {
        if (s.marks.size() < k_max_stream_marks) s.marks.emplace_back(s.bytes.size(), frame);
        const size_t take = std::min(payload.size() - skip, limit - s.bytes.size());
        s.bytes.insert(s.bytes.end(), payload.begin() + static_cast<std::ptrdiff_t>(skip),
                       payload.begin() + static_cast<std::ptrdiff_t>(skip + take));
        if (payload.size() < wire_len) s.cut = true;  // snaplen: later bytes are unknown
        settle(s);
    }
    s.next += static_cast<uint32_t>(wire_len - skip);
    s.total += wire_len - skip;
    while (!s.out_of_order.empty()) {
        auto it = s.out_of_order.begin();
        if (static_cast<int32_t>(it->first - s.next) > 0) break;
        OutOfOrder seg = std::move(it->second);
        const uint32_t seg_seq = it->first;
        s.out_of_order_bytes -= seg.bytes.size();
        s.out_of_order.erase(it);
        add_to_stream(s, seg_seq, seg.bytes, seg.wire_len, seg.frame, limit);
    }
    if (s.settled && !s.out_of_order.empty()) {  // segments past the clear text
        s.out_of_order.clear();
        s.out_of_order_bytes = 0;
    }
}

bool same_packet(const RawPacket& x, const wire::TcpPacket& p, uint16_t payload_len, bool from_a) {
    const PacketRecord& r = x.record;
    return x.from_a == from_a && r.seq == p.seq && r.ack == p.ack && r.flags == p.flags &&
           r.payload_len == payload_len && r.ip_id == p.ip_id && r.ttl == p.ttl &&
           r.window == p.window;
}

}  // namespace

struct FlowTracker::Impl {
    Sink sink;
    FlowLimits limits;
    std::string file;
    std::optional<double> origin;  // capture time of the run's first frame
    double now = 0;
    uint64_t frames_seen = 0;
    std::unordered_map<Key, Flow, KeyHash> flows;
    std::map<std::string, int> anomalies;
    CertificateCache certificates;
    TrackerStats stats;

    // Finishes a flow and forgets it.
    std::unordered_map<Key, Flow, KeyHash>::iterator drop(
        std::unordered_map<Key, Flow, KeyHash>::iterator it) {
        finish_flow(it->second);
        stats.retained_bytes -= it->second.held;
        return flows.erase(it);
    }

    // Counts what a flow holds after a packet changed it.
    void recount(Flow& f) {
        const size_t held = held_bytes(f);
        stats.retained_bytes = stats.retained_bytes - f.held + held;
        f.held = held;
        stats.open_flows = flows.size();
        stats.peak_open_flows = std::max(stats.peak_open_flows, stats.open_flows);
        stats.peak_retained_bytes = std::max(stats.peak_retained_bytes, stats.retained_bytes);
    }

    // Over the memory budget: the flows quiet the longest are finished early, down to
    // three quarters of it (so the next few packets do not sort the table again).
    void shed() {
        std::vector<std::pair<double, const Key*>> ages;
        ages.reserve(flows.size());
        for (const auto& [k, f] : flows) ages.emplace_back(f.last_t, &k);
        std::sort(ages.begin(), ages.end(),
                  [](const auto& x, const auto& y) { return x.first < y.first; });
        std::vector<Key> victims;
        size_t retained = stats.retained_bytes;
        for (const auto& [t, k] : ages) {
            if (retained <= limits.max_retained_bytes / 4 * 3) break;
            retained -= flows.find(*k)->second.held;
            victims.push_back(*k);
        }
        for (const auto& k : victims) drop(flows.find(k));
        anomalies["memory_limit"] += static_cast<int>(victims.size());
        stats.open_flows = flows.size();
    }

    void finish_flow(Flow& flow) {
        FlowInput in;
        in.file = flow.file;
        in.a = literal_of(flow.a);
        in.b = literal_of(flow.b);
        in.a_port = flow.a.port;
        in.b_port = flow.b.port;
        in.packets = &flow.packets;
        in.stream_a = &flow.stream_a;
        in.stream_b = &flow.stream_b;
        in.icmp = &flow.icmp;
        in.packets_capped = flow.packets_capped;
        in.duplicates = flow.duplicates;
        in.capture_unix = origin.value_or(0) + flow.first_t;
        in.certificates = &certificates;
        if (auto done = judge_flow(in)) {
            compact(*done);
            sink(std::move(*done));
        }
    }

    void sweep() {
        for (auto it = flows.begin(); it != flows.end();) {
            const Flow& f = it->second;
            const bool expired = (f.closed_at && now - *f.closed_at > limits.closed_linger_s) ||
                                 now - f.last_t > limits.idle_s;
            if (expired) {
                it = drop(it);
            } else {
                ++it;
            }
        }
        stats.open_flows = flows.size();
        if (flows.size() <= limits.max_open_flows) return;
        // Too many open flows: finish the quietest first, and say so.
        std::vector<std::pair<double, Key>> ages;
        ages.reserve(flows.size());
        for (const auto& [k, f] : flows) ages.emplace_back(f.last_t, k);
        const size_t excess = flows.size() - limits.max_open_flows;
        std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(excess),
                         ages.end(),
                         [](const auto& x, const auto& y) { return x.first < y.first; });
        for (size_t i = 0; i < excess; ++i) drop(flows.find(ages[i].second));
        anomalies["flow_table_full"] += static_cast<int>(excess);
        stats.open_flows = flows.size();
    }

    void add_icmp(const wire::IcmpError& e, double t) {
        auto src = wire::parse_ip_address(e.quoted_src);
        auto dst = wire::parse_ip_address(e.quoted_dst);
        if (!src || !dst) return;
        Endpoint s;
        s.addr = src->bytes;
        s.port = e.quoted_src_port;
        s.version = src->version;
        Endpoint d;
        d.addr = dst->bytes;
        d.port = e.quoted_dst_port;
        d.version = dst->version;
        Key key = s < d ? Key{s, d} : Key{d, s};
        auto it = flows.find(key);
        if (it == flows.end()) {
            ++anomalies["icmp_without_flow"];
            return;
        }
        if (it->second.icmp.size() < limits.max_packets) {
            it->second.icmp.push_back(IcmpRecord{t, e.from, e.type, e.code});
            recount(it->second);
        }
    }

    void add_tcp(const wire::TcpPacket& p, uint64_t frame_number, double t) {
        Endpoint src = endpoint_of(p.src, p.src_port, p.ip_version);
        Endpoint dst = endpoint_of(p.dst, p.dst_port, p.ip_version);
        Key key = src < dst ? Key{src, dst} : Key{dst, src};
        const bool pure_syn = (p.flags & (tcp_flag::syn | tcp_flag::ack)) == tcp_flag::syn;
        auto it = flows.find(key);
        if (it != flows.end() && pure_syn) {
            // Port reuse: a SYN with a new ISN on a known pair is a new connection.
            Flow& old = it->second;
            const bool same_side = old.a == src;
            const bool retransmit = same_side && old.syn_isn_a && *old.syn_isn_a == p.seq;
            if (!retransmit && (old.closed_at || old.syn_isn_a || !old.packets.empty())) {
                drop(it);
                it = flows.end();
                ++anomalies["port_reused"];
            }
        }
        if (it == flows.end()) {
            if (flows.size() >= limits.max_open_flows) sweep();
            Flow f;
            f.a = src;
            f.b = dst;
            f.file = file;
            f.first_frame = frame_number;
            f.first_t = t;
            it = flows.emplace(key, std::move(f)).first;
        }
        Flow& f = it->second;
        f.last_t = t;
        const bool from_a = f.a == src;
        if (pure_syn && from_a && !f.syn_isn_a) f.syn_isn_a = p.seq;

        const size_t wire_len = std::max(p.wire_payload_len, p.payload.size());
        const auto payload_len = static_cast<uint16_t>(std::min<size_t>(wire_len, 0xFFFF));
        // The same frame captured twice (two interfaces, a mirror port): the copy follows
        // at once. Two equal RSTs a moment apart are two packets, and both are kept.
        if (!f.packets.empty() && same_packet(f.packets.back(), p, payload_len, from_a) &&
            t - f.packets.back().record.t < k_duplicate_within_s) {
            ++f.duplicates;
            ++anomalies["duplicate_frame"];
            return;
        }
        const bool closing = (p.flags & (tcp_flag::rst | tcp_flag::fin)) != 0;
        const bool syn = (p.flags & tcp_flag::syn) != 0;
        if (f.packets.size() < limits.max_packets ||
            ((closing || syn) && f.packets.size() < 2 * limits.max_packets)) {
            // Built only when kept: the record copies the payload's first bytes.
            f.packets.push_back(RawPacket{capture::to_packet_record(p, Direction::outbound, t),
                                          from_a, frame_number});
        } else {
            f.packets_capped = true;
        }

        Stream& s = from_a ? f.stream_a : f.stream_b;
        if (syn) {
            s.started = true;
            s.syn_seen = true;
            s.next = p.seq + 1;
        }
        if (wire_len > 0)
            add_to_stream(s, p.seq, p.payload, wire_len, frame_number, limits.max_stream_bytes);
        if ((p.flags & tcp_flag::fin) != 0) (from_a ? f.fin_a : f.fin_b) = true;
        if ((p.flags & tcp_flag::rst) != 0 || (f.fin_a && f.fin_b)) {
            if (!f.closed_at) f.closed_at = t;
        }
        recount(f);
        if (stats.retained_bytes > limits.max_retained_bytes) shed();
    }
};

FlowTracker::FlowTracker(Sink sink, FlowLimits limits) : m_impl(std::make_unique<Impl>()) {
    m_impl->sink = std::move(sink);
    m_impl->limits = limits;
}

FlowTracker::~FlowTracker() = default;

void FlowTracker::begin_file(const std::string& name) {
    m_impl->file = name;
}

void FlowTracker::add(const Frame& frame, int link_type) {
    Impl& m = *m_impl;
    if (!m.origin) m.origin = frame.ts_unix;
    const double t = frame.ts_unix - *m.origin;
    // Capture time only moves forward for expiry, whatever order the frames are stored in.
    m.now = std::max(m.now, t);
    if (++m.frames_seen % k_sweep_every_frames == 0) m.sweep();

    auto link = capture::decode_link_frame(link_type, frame.bytes);
    if (link.anomaly != capture::FrameAnomaly::none &&
        link.anomaly != capture::FrameAnomaly::loopback_echo) {
        ++m.anomalies[std::string(capture::frame_anomaly_name(link.anomaly))];
        return;
    }
    if (link.anomaly == capture::FrameAnomaly::loopback_echo) return;
    auto parsed = wire::decode_tcp_packet(link.ip_packet);
    if (parsed.packet) {
        m.add_tcp(*parsed.packet, frame.number, t);
        return;
    }
    if (parsed.anomaly == wire::PacketAnomaly::not_tcp) {
        if (auto icmp = wire::decode_icmp_error(link.ip_packet)) m.add_icmp(*icmp, t);
        return;  // UDP and the rest are not ours to follow
    }
    ++m.anomalies[std::string(wire::packet_anomaly_name(parsed.anomaly))];
}

void FlowTracker::finish() {
    for (auto& [key, flow] : m_impl->flows) m_impl->finish_flow(flow);
    m_impl->flows.clear();
    m_impl->stats.open_flows = 0;
    m_impl->stats.retained_bytes = 0;
}

TrackerStats FlowTracker::stats() const {
    return m_impl->stats;
}

const std::map<std::string, int>& FlowTracker::anomalies() const {
    return m_impl->anomalies;
}

}  // namespace sniprobe::offline
