// Frame -> trial assignment. Addresses are compared as bytes (inet_pton of the trial's
// literal), never as strings, so "fd77::2" and "fd77:0::2" are the same host. A frame
// is inbound when it comes from the trial's remote endpoint, outbound when it goes to it.
#include "capture/attach.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <tuple>

#include "capture/link_frame.hpp"
#include "wire/packet.hpp"
#include "wire/packet_builder.hpp"

namespace sniprobe::capture {

namespace {

constexpr size_t k_payload_head_bytes = 16;
// Trials start (t0) just before connect(); allow for rounding between clocks.
constexpr double k_start_slack_s = 0.05;

using AddressBytes = std::array<uint8_t, 16>;

struct FlowKey {
    AddressBytes remote{};
    uint16_t remote_port = 0;
    uint16_t local_port = 0;
    bool operator<(const FlowKey& o) const {
        return std::tie(remote, remote_port, local_port) <
               std::tie(o.remote, o.remote_port, o.local_port);
    }
};

bool parse_address(const std::string& literal, AddressBytes& out) {
    const auto parsed = wire::parse_ip_address(literal);
    out = parsed ? parsed->bytes : AddressBytes{};
    return parsed.has_value();
}

AddressBytes address_of(const uint8_t (&bytes)[16], int ip_version) {
    AddressBytes out{};
    std::memcpy(out.data(), bytes, ip_version == 4 ? 4 : 16);
    return out;
}

// Trials of each flow key, ordered by start time.
using FlowIndex = std::map<FlowKey, std::vector<size_t>>;

FlowIndex index_trials(const std::vector<Trial>& trials) {
    FlowIndex index;
    for (size_t i = 0; i < trials.size(); ++i) {
        FlowKey key;
        if (trials[i].local_port == 0 || !parse_address(trials[i].address, key.remote)) continue;
        key.remote_port = trials[i].port;
        key.local_port = trials[i].local_port;
        index[key].push_back(i);
    }
    for (auto& [key, list] : index)
        std::sort(list.begin(), list.end(),
                  [&](size_t a, size_t b) { return trials[a].t0 < trials[b].t0; });
    return index;
}

// Whether a packet opens a connection (SYN or SYN-ACK) or belongs to one already open.
enum class Opens { connection, no };

// The trial of `key` a packet at time t belongs to: the latest that had started by t,
// with k_start_slack_s for clock rounding at its start. The slack must not steal an
// earlier trial's packets: the engine aborts sockets (RST), which frees the source port
// at once, and the kernel hands it out again within milliseconds, so packets of the
// earlier connection (its injected RSTs, late segments) can precede the next trial's
// t0 by less than the slack. Only a SYN or SYN-ACK opens the later trial early.
std::optional<size_t> find_trial(const FlowIndex& index, const std::vector<Trial>& trials,
                                 const FlowKey& key, double t, Opens opens) {
    auto it = index.find(key);
    if (it == index.end()) return std::nullopt;
    std::optional<size_t> found, started;  // started: t0 <= t without the slack
    for (size_t i : it->second) {
        if (trials[i].t0 <= t + k_start_slack_s) found = i;
        if (trials[i].t0 <= t) started = i;
    }
    if (opens == Opens::no && started && found && trials[*found].t0 > t) return started;
    return found;
}

}  // namespace

std::vector<std::string> AttachStats::anomaly_lines() const {
    std::vector<std::string> lines;
    for (const auto& [name, count] : anomalies)
        lines.push_back(fmt::format("capture: {} frame{} {}", count, count == 1 ? "" : "s", name));
    return lines;
}

PacketRecord to_packet_record(const wire::TcpPacket& packet, Direction direction, double t) {
    PacketRecord r;
    r.t = t;
    r.direction = direction;
    r.flags = packet.flags;
    r.seq = packet.seq;
    r.ack = packet.ack;
    r.ttl = packet.ttl;
    r.ip_id = packet.ip_id;
    r.df = packet.df;
    r.window = packet.window;
    // The IP header's length, not the captured bytes: the snaplen cuts long segments.
    size_t payload_len = std::max(packet.wire_payload_len, packet.payload.size());
    r.payload_len = static_cast<uint16_t>(std::min<size_t>(payload_len, 0xFFFF));
    r.tcp_header_len = packet.tcp_header_len;
    auto head = packet.payload.first(std::min(packet.payload.size(), k_payload_head_bytes));
    r.payload_head.assign(head.begin(), head.end());
    return r;
}

AttachStats attach_packets(std::vector<Trial>& trials, const std::vector<CapturedPacket>& packets,
                           double run_start_unix) {
    AttachStats stats;
    FlowIndex index = index_trials(trials);
    for (auto& trial : trials) trial.captured = true;

    for (const auto& captured : packets) {
        double t = captured.ts_unix - run_start_unix;
        LinkFrame frame = decode_link_frame(captured.link_type, captured.frame);
        if (frame.anomaly == FrameAnomaly::loopback_echo) {
            ++stats.loopback_echoes;
            continue;
        }
        if (frame.anomaly != FrameAnomaly::none) {
            ++stats.anomalies[std::string(frame_anomaly_name(frame.anomaly))];
            continue;
        }
        wire::PacketParse parse = wire::decode_tcp_packet(frame.ip_packet);
        if (parse.anomaly == wire::PacketAnomaly::not_tcp) {
            auto icmp = wire::decode_icmp_error(frame.ip_packet);
            FlowKey key;
            if (!icmp || !parse_address(icmp->quoted_dst, key.remote)) {
                ++stats.anomalies["not_tcp_or_icmp_error"];
                continue;
            }
            key.remote_port = icmp->quoted_dst_port;
            key.local_port = icmp->quoted_src_port;
            auto trial = find_trial(index, trials, key, t, Opens::no);
            if (!trial) {
                ++stats.unmatched;
                continue;
            }
            trials[*trial].icmp.push_back(IcmpRecord{t, icmp->from, icmp->type, icmp->code});
            ++stats.attached;
            continue;
        }
        if (!parse.packet) {
            ++stats.anomalies[fmt::format("ip_tcp_{}", wire::packet_anomaly_name(parse.anomaly))];
            continue;
        }
        const wire::TcpPacket& p = *parse.packet;
        FlowKey inbound{address_of(p.src, p.ip_version), p.src_port, p.dst_port};
        FlowKey outbound{address_of(p.dst, p.ip_version), p.dst_port, p.src_port};
        const Opens opens = (p.flags & tcp_flag::syn) != 0 ? Opens::connection : Opens::no;
        auto trial = find_trial(index, trials, inbound, t, opens);
        Direction direction = Direction::inbound;
        if (!trial) {
            trial = find_trial(index, trials, outbound, t, opens);
            direction = Direction::outbound;
        }
        if (!trial) {
            ++stats.unmatched;
            continue;
        }
        trials[*trial].packets.push_back(to_packet_record(p, direction, t));
        ++stats.attached;
    }
    for (auto& trial : trials) {
        std::stable_sort(trial.packets.begin(), trial.packets.end(),
                         [](const PacketRecord& a, const PacketRecord& b) { return a.t < b.t; });
        std::stable_sort(trial.icmp.begin(), trial.icmp.end(),
                         [](const IcmpRecord& a, const IcmpRecord& b) { return a.t < b.t; });
    }
    return stats;
}

}  // namespace sniprobe::capture
