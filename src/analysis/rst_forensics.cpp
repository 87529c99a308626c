// The forensic reading, step by step: (1) a per-trial baseline from the server's own
// packets (SYN-ACK TTL/IP ID/DF, the TTLs of its other segments, its next sequence
// number, the SYN->SYN-ACK round trip); (2) per RST/FIN the measured traits (burst,
// hops, IP ID pattern — across trials too, since a fixed ID only shows over several
// connections —, sequence relation, delay after our last ClientHello byte); (3) evidence
// lines: strong ones (different TTL, a payload, faster than the round trip, a
// distinctive injector signature, an ID copied from ours or fixed across connections)
// each make the packet `injected`; weak ones (DF differs, a burst, an ID unlike the
// server's) do so only in pairs; a packet that matches the server on TTL and IP ID
// pattern with nothing against it is `server`. Sequence arithmetic is mod 2^32.
// An ID "fixed across connections" is a repeat beyond chance for the number of resets
// seen (16-bit IDs collide: two of 90 random ones share a value about 6 % of the time),
// and it never outvotes a full match of the server's fingerprint (TTL, DF, window and
// the exact next sequence number): one coincidence against four facts.
#include "analysis/rst_forensics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "analysis/signatures.hpp"

namespace sniprobe {

namespace {

constexpr double k_burst_window_s = 0.2;          // RSTs this close together are one burst
constexpr uint32_t k_in_window_bytes = 1u << 20;  // generous bound on a scaled receive window
constexpr uint16_t k_server_id_step_max = 64;     // an ID this far past the server's is its counter
constexpr double k_min_rtt_for_timing_ms = 1.0;   // below this, timing says nothing
// One SYN->SYN-ACK sample can be inflated tenfold by a busy host (measured: 0.03 ms
// paths reading 20 ms under CPU load), so "faster than the round trip" is judged only
// against the minimum over several connections to the address, as TCP's min_rtt is.
constexpr int k_min_rtt_samples = 3;
// A value shared by k of n reset IP IDs counts as fixed when random IDs would give such
// a repeat less often than this (union bound over the value and the k-subsets).
constexpr double k_id_repeat_chance_max = 0.01;
constexpr double k_ip_id_values = 65535.0;  // nonzero 16-bit IDs

bool is_rst(const PacketRecord& p) {
    return (p.flags & tcp_flag::rst) != 0;
}
bool is_fin(const PacketRecord& p) {
    return (p.flags & tcp_flag::fin) != 0;
}
bool inbound(const PacketRecord& p) {
    return p.direction == Direction::inbound;
}

// What the server's own packets say about it, for one trial.
struct Baseline {
    const PacketRecord* syn = nullptr;
    const PacketRecord* synack = nullptr;
    bool borrowed = false;  // synack is from another connection to the same address
    std::optional<double> rtt_ms;
    std::optional<double> min_rtt_ms;  // over k_min_rtt_samples+ connections to the address
    int rtt_samples = 0;
    std::set<uint8_t> server_ttls;      // SYN-ACK and other non-RST inbound segments
    std::set<uint16_t> server_windows;  // the same segments' window fields
};

Baseline baseline_of(const Trial& trial) {
    Baseline b;
    for (const auto& p : trial.packets) {
        if (!inbound(p) && p.flags == tcp_flag::syn && b.synack == nullptr) b.syn = &p;
        if (inbound(p) &&
            (p.flags & (tcp_flag::syn | tcp_flag::ack)) == (tcp_flag::syn | tcp_flag::ack) &&
            b.synack == nullptr)
            b.synack = &p;
    }
    if (b.syn && b.synack && b.synack->t >= b.syn->t) b.rtt_ms = (b.synack->t - b.syn->t) * 1000.0;
    if (b.synack) {
        b.server_ttls.insert(b.synack->ttl);
        b.server_windows.insert(b.synack->window);
    }
    return b;
}

// The packets to judge: inbound RSTs, and inbound FINs before any server payload when
// the handshake never reached a ServerHello.
std::vector<size_t> suspects_of(const Trial& trial) {
    std::vector<size_t> out;
    bool server_payload = false;
    for (size_t i = 0; i < trial.packets.size(); ++i) {
        const auto& p = trial.packets[i];
        if (!inbound(p)) continue;
        const bool early_fin = is_fin(p) && !server_payload && !trial.server_hello_seen;
        if (is_rst(p) || early_fin) out.push_back(i);
        if (p.payload_len > 0 && !is_rst(p)) server_payload = true;
    }
    return out;
}

bool seq_after(uint32_t a, uint32_t b) {
    return static_cast<int32_t>(a - b) > 0;
}

// The server's next sequence number when packet `index` arrived.
std::optional<uint32_t> server_next_seq(const Trial& trial, const Baseline& b, size_t index) {
    if (!b.synack || b.borrowed) return std::nullopt;
    uint32_t next = b.synack->seq + 1;
    for (size_t i = 0; i < index; ++i) {
        const auto& p = trial.packets[i];
        if (!inbound(p) || is_rst(p) || &p == b.synack) continue;
        uint32_t end = p.seq + p.payload_len + (is_fin(p) ? 1u : 0u);
        if (seq_after(end, next)) next = end;
    }
    return next;
}

SeqRelation seq_relation(uint32_t seq, std::optional<uint32_t> next) {
    if (!next) return SeqRelation::unknown;
    uint32_t diff = seq - *next;
    if (diff == 0) return SeqRelation::exact;
    if (diff == 1460) return SeqRelation::plus_1460;
    if (diff == 4380) return SeqRelation::plus_4380;
    if (diff < k_in_window_bytes) return SeqRelation::in_window;
    return SeqRelation::outside;
}

// Our last outbound payload segment before `index` (the end of the ClientHello).
const PacketRecord* last_outbound_data(const Trial& trial, size_t index) {
    const PacketRecord* last = nullptr;
    for (size_t i = 0; i < index; ++i)
        if (!inbound(trial.packets[i]) && trial.packets[i].payload_len > 0)
            last = &trial.packets[i];
    return last;
}

bool is_ipv6(const Trial& trial) {
    return trial.address.find(':') != std::string::npos;
}

// Nonzero IP IDs seen on inbound RSTs: by value -> trials, and how many (value, trial)
// pairs there are in all (a burst's copies count once).
struct IdTrials {
    std::map<uint16_t, std::set<int>> by_value;
    int samples = 0;
};

IdTrials rst_ids_across_trials(const std::vector<Trial>& trials) {
    IdTrials ids;
    for (const auto& trial : trials)
        for (const auto& p : trial.packets)
            if (inbound(p) && is_rst(p) && p.ip_id != 0 && !is_ipv6(trial))
                ids.by_value[p.ip_id].insert(trial.id);
    for (const auto& [value, trial_ids] : ids.by_value)
        ids.samples += static_cast<int>(trial_ids.size());
    return ids;
}

}  // namespace

double ip_id_repeat_chance(int repeats, int samples) {
    if (repeats < 2 || samples < repeats) return 1.0;
    // P(some value appears `repeats` times among `samples` uniform IDs) <=
    // C(samples, repeats) / values^(repeats - 1), in logs to stay finite.
    const double log_choose = std::lgamma(samples + 1.0) - std::lgamma(repeats + 1.0) -
                              std::lgamma(samples - repeats + 1.0);
    const double log_p = log_choose - (repeats - 1) * std::log(k_ip_id_values);
    return std::min(1.0, std::exp(log_p));
}

namespace {

IpIdPattern ip_id_pattern(const Trial& trial, size_t index, const IdTrials& ids) {
    const auto& rst = trial.packets[index];
    if (is_ipv6(trial)) return IpIdPattern::none;
    if (rst.ip_id == 0) return IpIdPattern::zero;
    for (const auto& p : trial.packets)
        if (!inbound(p) && p.ip_id == rst.ip_id) return IpIdPattern::copied;
    if (auto it = ids.by_value.find(rst.ip_id);
        it != ids.by_value.end() && ip_id_repeat_chance(static_cast<int>(it->second.size()),
                                                        ids.samples) < k_id_repeat_chance_max)
        return IpIdPattern::fixed;
    for (size_t i = 0; i < index; ++i) {
        const auto& p = trial.packets[i];
        if (!inbound(p) || is_rst(p) || p.ip_id == 0) continue;
        auto step = static_cast<uint16_t>(rst.ip_id - p.ip_id);
        if (step > 0 && step <= k_server_id_step_max) return IpIdPattern::server_sequence;
    }
    return IpIdPattern::random;
}

std::string hex_head(const std::vector<uint8_t>& bytes) {
    std::string s;
    for (size_t i = 0; i < bytes.size() && i < 10; ++i)
        s += fmt::format("{}{:02x}", i ? " " : "", bytes[i]);
    return s;
}

// The evidence for one packet, sorted into strong/weak injected and server-like.
struct Evidence {
    std::vector<std::string> strong, weak, server;
    std::vector<std::string> outvoted;  // against the server, but outweighed by a full match
};

void judge_ttl(const RstFinding& f, const Baseline& b, Evidence& e) {
    if (!b.synack) return;
    uint8_t server_ttl = b.synack->ttl;
    if (b.server_ttls.count(f.ttl)) {
        e.server.push_back(fmt::format("TTL {} equals the server's SYN-ACK TTL{}", f.ttl,
                                       b.borrowed ? " on other connections" : ""));
        return;
    }
    uint8_t rst_initial = guess_initial_ttl(f.ttl), server_initial = guess_initial_ttl(server_ttl);
    if (rst_initial != server_initial) {
        e.strong.push_back(fmt::format(
            "TTL {} implies an initial TTL of {}, the server's SYN-ACK (TTL {}) one of {}", f.ttl,
            rst_initial, server_ttl, server_initial));
        return;
    }
    int diff = *f.hop_difference;
    e.strong.push_back(fmt::format(
        "TTL {} arrives with {} {} hop{} than the server's SYN-ACK (TTL {}){}", f.ttl,
        diff > 0 ? diff : -diff, diff > 0 ? "fewer" : "more", diff == 1 || diff == -1 ? "" : "s",
        server_ttl, b.borrowed ? " on other connections" : ""));
}

// TTL, DF, window and the exact next sequence number all as the server's own: four facts
// a repeated IP ID alone does not outvote.
bool full_server_match(const RstFinding& f, const Baseline& b) {
    if (!b.synack || !b.server_ttls.count(f.ttl) || f.df != b.synack->df) return false;
    if (f.seq_relation != SeqRelation::exact) return false;
    return f.window == 0 || b.server_windows.count(f.window) > 0;  // a stack's RST: 0 or its own
}

void judge_ip_id(const RstFinding& f, const Baseline& b, bool full_match, Evidence& e) {
    const IpIdPattern p = f.ip_id_pattern.value_or(IpIdPattern::none);
    if (p == IpIdPattern::copied)
        e.strong.push_back(fmt::format("IP ID {} is copied from one of our own packets", f.ip_id));
    if (p == IpIdPattern::fixed && !full_match)
        e.strong.push_back(fmt::format("IP ID {} repeats on resets of other connections", f.ip_id));
    if (p == IpIdPattern::fixed && full_match)
        e.outvoted.push_back(
            fmt::format("IP ID {} repeats on resets of other connections, but TTL, DF, window "
                        "and sequence all match the server",
                        f.ip_id));
    if (p == IpIdPattern::server_sequence)
        e.server.push_back(
            fmt::format("IP ID {} continues the server's own IP ID sequence", f.ip_id));
    if (!b.synack || p == IpIdPattern::none) return;
    if (p == IpIdPattern::zero && b.synack->ip_id == 0)
        e.server.push_back("IP ID 0, like the server's SYN-ACK (a Linux stack's pattern)");
    if (p == IpIdPattern::random && b.synack->ip_id == 0)
        e.weak.push_back(
            fmt::format("IP ID {} is unlike the server's (its SYN-ACK has IP ID 0)", f.ip_id));
}

void judge_rest(const RstFinding& f, const PacketRecord& p, const Baseline& b, Evidence& e) {
    if (b.synack && f.ip_id_pattern != IpIdPattern::none) {
        if (f.df != b.synack->df)
            e.weak.push_back(fmt::format("DF {} while the server's SYN-ACK has DF {}",
                                         f.df ? "set" : "clear", b.synack->df ? "set" : "clear"));
        else
            e.server.push_back(
                fmt::format("DF {}, as on the server's SYN-ACK", f.df ? "set" : "clear"));
    }
    if (is_rst(p) && p.payload_len > 0)
        e.strong.push_back(
            fmt::format("carries {} payload bytes ({}); TCP stacks send RSTs without payload",
                        p.payload_len, hex_head(p.payload_head)));
    if (f.burst_count > 1)
        e.weak.push_back(fmt::format("arrives in a burst of {} within {:.0f} ms", f.burst_count,
                                     k_burst_window_s * 1000));
    if (f.delay_ms && b.min_rtt_ms && *b.min_rtt_ms >= k_min_rtt_for_timing_ms &&
        *f.delay_ms < *b.min_rtt_ms / 2)
        e.strong.push_back(fmt::format(
            "arrives {:.1f} ms after our ClientHello, faster than the {:.1f} ms minimum "
            "round trip to the server ({} connections)",
            *f.delay_ms, *b.min_rtt_ms, b.rtt_samples));
    if (f.seq_relation == SeqRelation::plus_1460 || f.seq_relation == SeqRelation::plus_4380)
        e.strong.push_back(
            fmt::format("sequence number is the server's next {}",
                        f.seq_relation == SeqRelation::plus_1460 ? "+ 1460" : "+ 4380"));
    if (f.seq_relation == SeqRelation::exact)
        e.server.push_back("sequence number is exactly the server's next");
}

}  // namespace

uint8_t guess_initial_ttl(uint8_t ttl) {
    if (ttl <= 64) return 64;
    if (ttl <= 128) return 128;
    return 255;
}

namespace {

// Groups the RSTs among `suspects` into bursts; returns burst size and whether all
// members are identical, per suspect index. A burst is one sender's: RSTs that arrive
// with the server's own TTL are grouped apart from the others, so the server's kernel
// answering an injected burst (its socket already torn down) does not turn a type II
// burst of three into a burst of four.
struct BurstInfo {
    int count = 1;
    bool identical = true;
};

std::map<size_t, BurstInfo> bursts_of(const Trial& trial, const std::vector<size_t>& suspects,
                                      const std::set<uint8_t>& server_ttls) {
    std::map<size_t, BurstInfo> out;
    auto close = [&](std::vector<size_t>& current) {
        BurstInfo info{static_cast<int>(current.size()), true};
        const auto& first = trial.packets[current.front()];
        for (size_t i : current) {
            const auto& p = trial.packets[i];
            if (p.ttl != first.ttl || p.ip_id != first.ip_id || p.window != first.window ||
                p.seq != first.seq || p.flags != first.flags)
                info.identical = false;
        }
        for (size_t i : current) out[i] = info;
        current.clear();
    };
    std::vector<size_t> with_server_ttl, with_other_ttl;
    for (size_t i : suspects) {
        const PacketRecord& p = trial.packets[i];
        if (!is_rst(p)) {
            out[i] = BurstInfo{};
            continue;
        }
        auto& current = server_ttls.count(p.ttl) ? with_server_ttl : with_other_ttl;
        if (!current.empty() && p.t - trial.packets[current.front()].t > k_burst_window_s)
            close(current);
        current.push_back(i);
    }
    if (!with_server_ttl.empty()) close(with_server_ttl);
    if (!with_other_ttl.empty()) close(with_other_ttl);
    return out;
}

RstFinding measure(const Trial& trial, size_t index, const Baseline& b, const BurstInfo& burst,
                   const IdTrials& ids) {
    const auto& p = trial.packets[index];
    RstFinding f;
    f.trial_id = trial.id;
    f.packet_index = static_cast<int>(index);
    f.flags = p.flags;
    f.burst_count = burst.count;
    f.ttl = p.ttl;
    f.ip_id = p.ip_id;
    f.df = p.df;
    f.window = p.window;
    f.ip_id_pattern = ip_id_pattern(trial, index, ids);
    f.seq_relation = seq_relation(p.seq, server_next_seq(trial, b, index));
    f.rtt_ms = b.rtt_ms;
    if (const auto* hello = last_outbound_data(trial, index))
        f.delay_ms = (p.t - hello->t) * 1000.0;
    if (b.synack) {
        f.server_synack_ttl = b.synack->ttl;
        int server_hops = guess_initial_ttl(b.synack->ttl) - b.synack->ttl;
        int rst_hops = guess_initial_ttl(p.ttl) - p.ttl;
        f.hop_difference = server_hops - rst_hops;
    }
    return f;
}

void decide(RstFinding& f, const Trial& trial, const PacketRecord& p, const Baseline& b,
            const BurstInfo& burst) {
    Evidence e;
    const bool full_match = full_server_match(f, b);
    judge_ttl(f, b, e);
    judge_ip_id(f, b, full_match, e);
    judge_rest(f, p, b, e);

    analysis::RstTraits traits;
    traits.flags = p.flags;
    traits.burst_count = f.burst_count;
    traits.identical_burst = burst.identical;
    traits.ttl = p.ttl;
    traits.ip_id = p.ip_id;
    traits.window = p.window;
    traits.ipv4 = !is_ipv6(trial);
    traits.df = p.df;
    traits.seq_relation = f.seq_relation.value_or(SeqRelation::unknown);
    traits.payload_len = p.payload_len;
    traits.payload_head = p.payload_head;
    const analysis::RstSignature* sig = is_rst(p) ? analysis::match_rst_signature(traits) : nullptr;
    if (sig && sig->strength == analysis::SignatureStrength::distinctive)
        e.strong.push_back(
            fmt::format("matches the {} fingerprint: {}", to_name(sig->id), sig->description));

    const bool ttl_matches = b.synack && b.server_ttls.count(f.ttl) > 0;
    // A server that sends nonzero IDs unrelated to each other (random per packet) cannot
    // be matched on the ID; with everything else its own, a random ID is its style too.
    const bool id_matches =
        f.ip_id_pattern == IpIdPattern::none || f.ip_id_pattern == IpIdPattern::server_sequence ||
        (b.synack && f.ip_id_pattern == IpIdPattern::zero && b.synack->ip_id == 0) ||
        (full_match && f.ip_id_pattern == IpIdPattern::random && b.synack->ip_id != 0);
    const char* what = is_rst(p) ? "RST" : "FIN";
    if (!e.strong.empty() || e.weak.size() >= 2) {
        f.origin = RstOrigin::injected;
        f.reasons = e.strong;
        f.reasons.insert(f.reasons.end(), e.weak.begin(), e.weak.end());
    } else if (!b.synack) {
        f.origin = RstOrigin::unknown;
        f.reasons.push_back(fmt::format(
            "no SYN-ACK captured: nothing from the server to compare this {} with", what));
        f.reasons.insert(f.reasons.end(), e.weak.begin(), e.weak.end());
    } else if (ttl_matches && id_matches) {
        f.origin = RstOrigin::server;
        f.reasons = e.server;
        for (const auto& w : e.weak) f.reasons.push_back("but: " + w);
    } else {
        f.origin = RstOrigin::unknown;
        f.reasons.push_back(
            fmt::format("the {} neither matches the server's SYN-ACK fingerprint nor shows an "
                        "injector's trait",
                        what));
        f.reasons.insert(f.reasons.end(), e.server.begin(), e.server.end());
        f.reasons.insert(f.reasons.end(), e.outvoted.begin(), e.outvoted.end());
        f.reasons.insert(f.reasons.end(), e.weak.begin(), e.weak.end());
    }

    if (f.origin == RstOrigin::server)
        f.signature = RstSignatureId::server_stack;
    else if (sig)
        f.signature = sig->id;
    else
        f.signature = RstSignatureId::unknown;
}

}  // namespace

std::vector<RstFinding> analyze_rsts(const std::vector<Trial>& trials) {
    std::vector<RstFinding> findings;
    IdTrials ids = rst_ids_across_trials(trials);
    // A connection refused or reset before its SYN-ACK has no baseline of its own; the
    // same address's SYN-ACKs on other connections stand in (not for sequence numbers).
    std::map<std::string, Baseline> by_address;
    std::map<std::string, std::vector<double>> rtts_by_address;
    for (const auto& trial : trials) {
        Baseline b = baseline_of(trial);
        if (b.rtt_ms) rtts_by_address[trial.address].push_back(*b.rtt_ms);
        if (b.synack && !by_address.count(trial.address)) by_address[trial.address] = b;
    }
    // Each address's fastest round trip, once (not once per trial: captures hold many).
    std::map<std::string, std::pair<double, int>> min_rtt_by_address;
    for (const auto& [address, rtts] : rtts_by_address)
        if (static_cast<int>(rtts.size()) >= k_min_rtt_samples)
            min_rtt_by_address[address] = {*std::min_element(rtts.begin(), rtts.end()),
                                           static_cast<int>(rtts.size())};
    for (const auto& trial : trials) {
        if (!trial.captured || trial.packets.empty()) continue;
        Baseline b = baseline_of(trial);
        if (auto it = min_rtt_by_address.find(trial.address); it != min_rtt_by_address.end()) {
            b.min_rtt_ms = it->second.first;
            b.rtt_samples = it->second.second;
        }
        if (!b.synack) {
            if (auto it = by_address.find(trial.address); it != by_address.end()) {
                b.synack = it->second.synack;
                b.server_ttls = it->second.server_ttls;
                b.borrowed = true;
            }
        }
        for (const auto& p : trial.packets)
            if (inbound(p) && !is_rst(p)) {
                b.server_ttls.insert(p.ttl);
                b.server_windows.insert(p.window);
            }
        std::vector<size_t> suspects = suspects_of(trial);
        auto bursts = bursts_of(trial, suspects, b.server_ttls);
        bool injected_seen = false;
        for (size_t index : suspects) {
            RstFinding f = measure(trial, index, b, bursts[index], ids);
            decide(f, trial, trial.packets[index], b, bursts[index]);
            if (injected_seen && f.origin != RstOrigin::injected) {
                f.after_injected = true;
                f.reasons.push_back(
                    f.origin == RstOrigin::server
                        ? "follows an injected RST on this connection: the server's answer to a "
                          "connection that RST had already torn down, not what ended the handshake"
                        : "follows an injected RST on this connection: not what ended the "
                          "handshake");
            }
            injected_seen = injected_seen || f.origin == RstOrigin::injected;
            findings.push_back(std::move(f));
        }
    }
    return findings;
}

}  // namespace sniprobe
