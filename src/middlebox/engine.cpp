// Decision logic of the DPI emulator (see engine.hpp). Orientation comes from the SYN
// (the sender of a SYN without ACK is the client); a flow first seen mid-stream takes
// the higher port as the client's. The server's next sequence number comes from the
// SYN-ACK plus every byte the server sent through us, falling back to the trigger's
// ACK field when the handshake was not seen: either is what the client expects next.
#include "middlebox/engine.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "model/packet.hpp"
#include "quic/client_initial_reader.hpp"
#include "wire/client_hello.hpp"
#include "wire/http_request.hpp"
#include "wire/packet.hpp"

namespace sniprobe::middlebox {

struct PacketView {
    const wire::TcpPacket& tcp;
    int version = 4;
    IpBytes src{}, dst{};
    bool has(uint8_t flag) const { return (tcp.flags & flag) != 0; }
    uint32_t seq_len() const {
        return static_cast<uint32_t>(tcp.payload.size()) + (has(tcp_flag::syn) ? 1 : 0) +
               (has(tcp_flag::fin) ? 1 : 0);
    }
};

namespace {

// Payload of one TCP segment on a 1500-byte-MTU link with timestamps (1500 - 20 - 20 - 12).
constexpr size_t k_wire_segment_bytes = 1448;

std::string ip_text(int version, const IpBytes& ip) {
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(version == 6 ? AF_INET6 : AF_INET, ip.data(), buf, sizeof buf);
    return version == 6 ? fmt::format("[{}]", buf) : std::string(buf);
}

std::string flow_text(const FlowKey& k) {
    return fmt::format("{}:{}->{}:{}", ip_text(k.version, k.client_ip), k.client_port,
                       ip_text(k.version, k.server_ip), k.server_port);
}

// encrypted_client_hello (RFC 9849): what a match.ech rule looks for.
constexpr uint16_t k_ext_encrypted_client_hello = 0xfe0d;

bool has_ech(const std::vector<uint16_t>& types) {
    return std::find(types.begin(), types.end(), k_ext_encrypted_client_hello) != types.end();
}

bool has_ech(const std::vector<wire::HelloExtension>& extensions) {
    return std::any_of(extensions.begin(), extensions.end(), [](const wire::HelloExtension& e) {
        return e.type == k_ext_encrypted_client_hello;
    });
}

bool family_ok(const Rule& r, int version) {
    return r.family == 0 || r.family == version;
}

bool port_ok(const Rule& r, uint16_t port) {
    return r.ports.empty() || std::find(r.ports.begin(), r.ports.end(), port) != r.ports.end();
}

bool is_host_rule(const Rule& r) {
    return r.match != MatchKind::dst_ip && r.transport == Transport::tcp;
}

constexpr uint8_t k_ip_proto_udp = 17;
constexpr uint64_t k_udp_flow_ms = 60000;  // the GFW tracks a UDP flow for 60 s

// An IPv4 UDP datagram's addresses, ports and payload; nullopt for anything else.
struct UdpView {
    IpBytes src{}, dst{};  // the first 4 bytes hold the IPv4 address
    uint16_t src_port = 0, dst_port = 0;
    std::span<const uint8_t> payload;
};
std::optional<UdpView> udp_view(std::span<const uint8_t> b) {
    if (b.size() < 20 || (b[0] >> 4) != 4 || b[9] != k_ip_proto_udp) return std::nullopt;
    const size_t ihl = size_t{b[0] & 0x0fu} * 4;
    const size_t total = (size_t{b[2]} << 8) | b[3];
    if (ihl < 20 || total > b.size() || ihl + 8 > total) return std::nullopt;
    UdpView v;
    std::memcpy(v.src.data(), b.data() + 12, 4);
    std::memcpy(v.dst.data(), b.data() + 16, 4);
    v.src_port = static_cast<uint16_t>((b[ihl] << 8) | b[ihl + 1]);
    v.dst_port = static_cast<uint16_t>((b[ihl + 2] << 8) | b[ihl + 3]);
    v.payload = b.subspan(ihl + 8, total - ihl - 8);
    return v;
}

}  // namespace

Engine::Engine(Rules rules, EngineOptions options)
    : m_rules(std::move(rules)),
      m_options(options),
      m_rng(options.seed),
      m_flows(options.max_flows, options.idle_ms),
      m_residual(options.max_residual) {}

Decision Engine::finish(Decision d) {
    if (d.drop)
        ++m_counters.dropped;
    else
        ++m_counters.accepted;
    if (d.delay_ms > 0) ++m_counters.held;
    m_counters.injected += d.before.size() + d.after.size();
    return d;
}

Decision Engine::handle(std::span<const uint8_t> bytes, uint64_t now_ms) {
    ++m_counters.packets;
    if (now_ms - m_last_expire_ms >= 1000) {
        m_flows.expire(now_ms);
        m_last_expire_ms = now_ms;
    }
    if (bytes.size() >= 10 && (bytes[0] >> 4) == 4 && bytes[9] == k_ip_proto_udp)
        return finish(on_udp(bytes, now_ms));
    wire::PacketParse parsed = wire::decode_tcp_packet(bytes);
    if (parsed.anomaly != wire::PacketAnomaly::none || !parsed.packet) {
        ++m_counters.anomalies["packet:" + std::string(wire::packet_anomaly_name(parsed.anomaly))];
        return finish({});
    }
    const wire::TcpPacket& tcp = *parsed.packet;
    PacketView p{tcp, tcp.ip_version, {}, {}};
    std::memcpy(p.src.data(), tcp.src, p.src.size());
    std::memcpy(p.dst.data(), tcp.dst, p.dst.size());

    // Address rules are stateless: every packet to the address and port vanishes.
    for (const Rule& r : m_rules.rules) {
        if (r.match != MatchKind::dst_ip || p.version != 4 ||
            std::memcmp(r.dst_ip.data(), p.dst.data(), r.dst_ip.size()) != 0 ||
            !port_ok(r, tcp.dst_port))
            continue;
        Decision d;
        d.drop = true;
        if (p.has(tcp_flag::syn) && !p.has(tcp_flag::ack)) {
            ++m_counters.triggers;
            ++m_counters.triggers_by_rule[r.name];
            d.log = fmt::format("middlebox: trigger rule={} action=drop_all flow={}:{}->{}:{} syn",
                                r.name, ip_text(p.version, p.src), tcp.src_port,
                                ip_text(p.version, p.dst), tcp.dst_port);
        }
        return finish(std::move(d));
    }

    if (p.has(tcp_flag::syn) && !p.has(tcp_flag::ack)) return finish(on_syn(p, now_ms));

    FlowKey as_client{p.version, p.src, p.dst, tcp.src_port, tcp.dst_port};
    FlowKey as_server{p.version, p.dst, p.src, tcp.dst_port, tcp.src_port};
    Flow* flow = m_flows.find(as_client, now_ms);
    bool from_client = flow != nullptr;
    if (!flow) flow = m_flows.find(as_server, now_ms);
    if (!flow) {
        if (tcp.payload.empty() || p.has(tcp_flag::syn)) return finish({});
        // First seen mid-stream: the ephemeral (higher) port is the client's.
        from_client = tcp.src_port > tcp.dst_port;
        flow = &m_flows.insert(from_client ? as_client : as_server, now_ms);
        ++m_counters.flows;
    }
    Decision cut;
    cut.drop = flow->fate == FlowFate::blackholed || flow->in_path_cut;

    if (!from_client) {
        if (p.has(tcp_flag::syn)) {  // SYN-ACK
            flow->synack_seen = true;
            flow->server_next = tcp.seq + 1;
            flow->server_next_known = true;
        } else if (!p.has(tcp_flag::rst)) {
            uint32_t end = tcp.seq + p.seq_len();
            if (!flow->server_next_known || seq_after(end, flow->server_next))
                flow->server_next = end;
            flow->server_next_known = true;
        }
        return finish(std::move(cut));
    }
    if (cut.drop) return finish(std::move(cut));
    uint32_t end = tcp.seq + p.seq_len();
    // Without a SYN the first data segment sets where the client's stream is.
    if ((!flow->syn_seen && !flow->stream_started) || seq_after(end, flow->client_next))
        flow->client_next = end;
    if (!tcp.payload.empty() && flow->fate == FlowFate::undecided)
        return finish(on_client_data(*flow, p, now_ms));
    return finish({});
}

Decision Engine::on_syn(const PacketView& p, uint64_t now_ms) {
    const wire::TcpPacket& tcp = p.tcp;
    FlowKey key{p.version, p.src, p.dst, tcp.src_port, tcp.dst_port};
    TupleKey tuple{p.version, p.src, p.dst, tcp.dst_port};
    Flow& flow = m_flows.insert(key, now_ms);
    ++m_counters.flows;
    flow.syn_seen = true;
    flow.client_next = tcp.seq + 1;
    std::optional<int> blocked = m_residual.blocked(tuple, now_ms);
    if (!blocked) return {};

    const Rule& rule = m_rules.rules[static_cast<size_t>(*blocked)];
    ++m_counters.residual_hits;
    flow.rule = *blocked;
    Decision d;
    switch (rule.action) {
        case Action::rst_both:
        case Action::rst_client: {
            SynSegment syn{p.version, p.src, p.dst, tcp.src_port, tcp.dst_port, tcp.seq, tcp.ip_id};
            d.before = plan_syn_reset(rule, syn, m_rng);
            d.drop = true;
            flow.fate = FlowFate::triggered;
            flow.in_path_cut = true;
            break;
        }
        case Action::drop:
        case Action::drop_all:
            d.drop = true;
            flow.fate = FlowFate::blackholed;
            break;
        case Action::fin_client:
        case Action::blockpage:
            flow.residual_forced = true;  // the handshake passes; the first data gets the action
            break;
        case Action::pass:
            break;
    }
    d.log = fmt::format("middlebox: residual rule={} action={} flow={} syn{}", rule.name,
                        action_name(rule.action), flow_text(key),
                        d.before.empty() ? "" : " answered with RST");
    return d;
}

Decision Engine::on_client_data(Flow& flow, const PacketView& p, uint64_t now_ms) {
    const wire::TcpPacket& tcp = p.tcp;
    if (flow.residual_forced) return fire(flow, flow.rule, p, "residual", now_ms);
    append_to_stream(flow, tcp.seq, tcp.payload.data(), tcp.payload.size());
    std::string what;
    bool need_more = false;
    int r = match_rules(flow, p, what, need_more);
    if (r < 0) {
        if (!need_more) flow.fate = FlowFate::spared;
        return {};
    }
    const Rule& rule = m_rules.rules[static_cast<size_t>(r)];
    if (rule.probability < 1.0) {
        std::uniform_real_distribution<double> coin(0.0, 1.0);
        if (coin(m_rng) >= rule.probability) {  // drawn once: the flow is decided now
            flow.fate = FlowFate::spared;
            ++m_counters.spared;
            return {};
        }
    }
    return fire(flow, r, p, what, now_ms);
}

int Engine::match_rules(Flow& flow, const PacketView& p, std::string& what, bool& need_more) {
    const wire::TcpPacket& tcp = p.tcp;
    std::optional<wire::HelloParse> tls_single, tls_stream;
    std::optional<wire::HttpRequest> http_single, http_stream;
    const bool stream_ok = flow.stream_started && !flow.stream_broken;
    const bool stream_full = flow.stream.size() >= k_max_stream_bytes;
    for (size_t i = 0; i < m_rules.rules.size(); ++i) {
        const Rule& rule = m_rules.rules[i];
        if (!is_host_rule(rule) || !port_ok(rule, flow.key.server_port) ||
            !family_ok(rule, flow.key.version))
            continue;
        const bool first_only = rule.reassemble == Reassemble::first_segment_only;
        const bool use_stream = rule.reassemble != Reassemble::no && !first_only && stream_ok;
        std::span<const uint8_t> bytes =
            use_stream ? std::span<const uint8_t>(flow.stream) : tcp.payload;
        std::string host;
        if (first_only && !(stream_ok && flow.stream.size() <= tcp.payload.size())) continue;
        if (first_only && rule.match != MatchKind::http_host) {
            // The first segment alone, even a truncated hello: the name if its bytes are in it.
            // The queue hands over GSO super-segments (a 1.8 KB hello in one piece), so the
            // wire's first segment is cut out here: what a 1500-byte-MTU link carries.
            const auto segment = bytes.first(std::min(bytes.size(), k_wire_segment_bytes));
            auto name = wire::quick_sni(segment);
            if (!name || name->empty()) continue;
            if (rule.ech && !has_ech(wire::quick_extension_types(segment))) continue;
            host = std::move(*name);
        } else if (rule.match == MatchKind::http_host) {
            auto& parsed = use_stream ? http_stream : http_single;
            if (!parsed) {
                parsed = wire::parse_http_host(bytes);
                auto a = parsed->anomaly;
                if (a != wire::HttpAnomaly::none && a != wire::HttpAnomaly::incomplete &&
                    a != wire::HttpAnomaly::not_http)
                    ++m_counters.anomalies["http:" + std::string(wire::http_anomaly_name(a))];
            }
            if (parsed->anomaly == wire::HttpAnomaly::incomplete) {
                if (use_stream && !stream_full) need_more = true;
                continue;
            }
            if (parsed->anomaly != wire::HttpAnomaly::none) continue;
            host = parsed->host;
        } else {
            auto& parsed = use_stream ? tls_stream : tls_single;
            if (!parsed) {
                parsed = wire::parse_client_hello(bytes);
                auto a = parsed->anomaly;
                if (a != wire::HelloAnomaly::none && a != wire::HelloAnomaly::incomplete &&
                    a != wire::HelloAnomaly::not_tls)
                    ++m_counters.anomalies["tls:" + std::string(wire::hello_anomaly_name(a))];
            }
            if (parsed->anomaly == wire::HelloAnomaly::incomplete) {
                if (use_stream && !stream_full) need_more = true;
                continue;
            }
            if (parsed->anomaly != wire::HelloAnomaly::none || !parsed->hello) continue;
            // Only a box that joins TLS records reads a hello spread over several.
            if (parsed->hello->record_count > 1 && rule.reassemble != Reassemble::tcp_and_records)
                continue;
            host = std::string(parsed->hello->sni());
            if (host.empty()) continue;
            if (rule.ech && !has_ech(parsed->hello->extensions)) continue;
        }
        if (host_matches(rule, host)) {
            what = (rule.match == MatchKind::http_host ? "host=" : "sni=") + host;
            if (rule.ech) what += " ech";
            return static_cast<int>(i);
        }
    }
    return -1;
}

Decision Engine::fire(Flow& flow, int rule_index, const PacketView& p, const std::string& what,
                      uint64_t now_ms) {
    const Rule& rule = m_rules.rules[static_cast<size_t>(rule_index)];
    const wire::TcpPacket& tcp = p.tcp;
    TriggerSegment t;
    t.version = flow.key.version;
    t.client_ip = flow.key.client_ip;
    t.server_ip = flow.key.server_ip;
    t.client_port = flow.key.client_port;
    t.server_port = flow.key.server_port;
    t.client_seq = tcp.seq;
    t.payload_len = static_cast<uint32_t>(tcp.payload.size());
    t.client_ip_id = tcp.ip_id;
    t.server_next = flow.server_next;
    if (!flow.server_next_known || (p.has(tcp_flag::ack) && seq_after(tcp.ack, flow.server_next)))
        t.server_next = tcp.ack;
    InjectionPlan plan = plan_injection(rule, t, m_rng);

    Decision d;
    d.drop = plan.drop_original;
    d.delay_ms = rule.delay_ms;
    d.before = std::move(plan.before_verdict);
    d.after = std::move(plan.after_verdict);
    flow.rule = rule_index;
    flow.fate = rule.action == Action::drop ? FlowFate::blackholed : FlowFate::triggered;
    flow.in_path_cut = plan.drop_original;
    if (rule.residual_seconds > 0)
        m_residual.block(TupleKey{flow.key.version, flow.key.client_ip, flow.key.server_ip,
                                  flow.key.server_port},
                         rule_index, now_ms + uint64_t{rule.residual_seconds} * 1000);
    ++m_counters.triggers;
    ++m_counters.triggers_by_rule[rule.name];
    d.log = fmt::format(
        "middlebox: trigger rule={} action={} mode={} flow={} {} seq={} len={} injected={}{}",
        rule.name, action_name(rule.action), mode_name(rule.mode), flow_text(flow.key), what,
        tcp.seq, tcp.payload.size(), d.before.size() + d.after.size(),
        d.drop ? " original=dropped" : " original=released");
    return d;
}

std::string Engine::counters_line() const {
    const Counters& c = m_counters;
    std::string line = fmt::format(
        "middlebox: packets={} accepted={} dropped={} held={} injected={} flows={} live_flows={} "
        "evicted={} expired={} triggers={} spared={} residual_hits={}",
        c.packets, c.accepted, c.dropped, c.held, c.injected, c.flows, m_flows.size(),
        m_flows.evicted(), m_flows.expired(), c.triggers, c.spared, c.residual_hits);
    for (const auto& [name, n] : c.triggers_by_rule) line += fmt::format(" rule:{}={}", name, n);
    for (const auto& [name, n] : c.anomalies) line += fmt::format(" anomaly:{}={}", name, n);
    return line;
}

// QUIC: the client's datagrams to a tuple under a QUIC residual block vanish; the first
// datagram of each UDP flow (4-tuple, remembered 60 s) is opened as an Initial and its
// name matched against the quic rules; later datagrams of the flow are not inspected, but
// follow the first one's fate: a flow whose first datagram a `drop` rule took is dropped
// whole (else a hello's second Initial alone reaches the server, which may answer it).
Decision Engine::on_udp(std::span<const uint8_t> bytes, uint64_t now_ms) {
    Decision d;
    const auto udp = udp_view(bytes);
    if (!udp) {
        ++m_counters.anomalies["udp:malformed"];
        return d;
    }
    const TupleKey tuple{4, udp->src, udp->dst, udp->dst_port};
    if (auto block = m_quic_blocks.find(tuple); block != m_quic_blocks.end()) {
        if (now_ms >= block->second.until_ms) {
            m_quic_blocks.erase(block);
        } else if (now_ms >= block->second.from_ms) {
            ++m_counters.residual_hits;
            d.drop = true;
            return d;
        }
    }
    const FlowKey flow{4, udp->src, udp->dst, udp->src_port, udp->dst_port};
    if (auto dropped = m_udp_dropped.find(flow); dropped != m_udp_dropped.end()) {
        if (now_ms - dropped->second < k_udp_flow_ms) {
            d.drop = true;
            return d;
        }
        m_udp_dropped.erase(dropped);
    }
    if (auto seen = m_udp_seen.find(flow); seen != m_udp_seen.end()) {
        if (now_ms - seen->second < k_udp_flow_ms) return d;  // not the flow's first datagram
        m_udp_seen.erase(seen);
    }
    if (m_udp_seen.size() >= m_options.max_flows) m_udp_seen.clear();  // bounded memory
    m_udp_seen.emplace(flow, now_ms);
    std::optional<quic::ClientInitialView> initial;
    for (size_t i = 0; i < m_rules.rules.size(); ++i) {
        const Rule& rule = m_rules.rules[i];
        if (rule.transport != Transport::quic || !port_ok(rule, udp->dst_port)) continue;
        if (!initial) {
            initial = quic::read_client_initial(udp->payload);
            ++m_counters.flows;
            if (initial->anomaly != quic::QuicAnomaly::none)
                ++m_counters
                      .anomalies["quic:" + std::string(quic::quic_anomaly_name(initial->anomaly))];
        }
        if (!initial->sni || !host_matches(rule, *initial->sni)) continue;
        if (rule.ech && !initial->ech) continue;
        std::uniform_real_distribution<double> coin(0.0, 1.0);
        if (rule.probability < 1.0 && coin(m_rng) >= rule.probability) {
            ++m_counters.spared;
            return d;
        }
        ++m_counters.triggers;
        ++m_counters.triggers_by_rule[rule.name];
        d.drop = rule.action == Action::drop;
        if (d.drop) {
            if (m_udp_dropped.size() >= m_options.max_flows) m_udp_dropped.clear();
            m_udp_dropped[flow] = now_ms;
        }
        if (rule.residual_seconds > 0) {
            if (m_quic_blocks.size() >= m_options.max_residual) m_quic_blocks.clear();
            m_quic_blocks[tuple] = QuicBlock{
                now_ms + rule.delay_ms, now_ms + rule.delay_ms + rule.residual_seconds * 1000ull,
                static_cast<int>(i)};
        }
        d.log = fmt::format(
            "middlebox: trigger rule={} action={} quic flow={}:{}->{}:{} sni={}{} residual={}s",
            rule.name, action_name(rule.action), ip_text(4, udp->src), udp->src_port,
            ip_text(4, udp->dst), udp->dst_port, *initial->sni, rule.ech ? " ech" : "",
            rule.residual_seconds);
        return d;
    }
    return d;
}

}  // namespace sniprobe::middlebox
