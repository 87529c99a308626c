// Trial <-> record matching and the findings (see correlate.hpp). Times: trial t0/t are
// seconds since the run started, records carry CLOCK_REALTIME seconds; a record belongs
// to a trial only when its first packet falls in the trial's window widened by the
// tolerated clock slack. Each record is used at most once, so a reused source port
// cannot make one server-side record explain two trials.
#include "sink/correlate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "model/packet.hpp"

namespace sniprobe::sink {

namespace {

bool has(uint8_t flags, uint8_t bit) {
    return (flags & bit) != 0;
}

bool iequals(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Our SYN's sequence number, from our own capture.
std::optional<uint32_t> our_isn(const Trial& t) {
    for (const auto& p : t.packets)
        if (p.direction == Direction::outbound && has(p.flags, tcp_flag::syn) &&
            !has(p.flags, tcp_flag::ack))
            return p.seq;
    return std::nullopt;
}

bool client_was_reset(const Trial& t) {
    if (t.failure == FailureCode::connection_reset) return true;
    return std::any_of(t.packets.begin(), t.packets.end(), [](const PacketRecord& p) {
        return p.direction == Direction::inbound && has(p.flags, tcp_flag::rst);
    });
}

struct Window {
    double from = 0, to = 0;
    bool contains(double t) const { return t >= from && t <= to; }
};

Window trial_window(const Trial& t, const CorrelationContext& c) {
    return {c.run_start_unix + t.t0 - c.clock_slack_s,
            c.run_start_unix + std::max(t.t, t.t0) + c.clock_slack_s};
}

double start_time(const ConnectionRecord& r) {
    return r.syn_seen ? r.syn_t : r.first_seen;
}

// The unused record closest in time to the trial's start among those `accept` takes.
template <class Accept>
int closest(const std::vector<ConnectionRecord>& records, const std::vector<bool>& used,
            const Trial& t, const CorrelationContext& c, Accept accept) {
    const Window w = trial_window(t, c);
    const double start = c.run_start_unix + t.t0;
    int best = -1;
    for (size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        if (used[i] || r.server_port != t.port || !w.contains(start_time(r)) || !accept(r))
            continue;
        if (best < 0 || std::abs(start_time(r) - start) <
                            std::abs(start_time(records[static_cast<size_t>(best)]) - start))
            best = static_cast<int>(i);
    }
    return best;
}

SinkFinding classify(const SinkTrialFinding& f, const Trial& t) {
    const bool reset = client_was_reset(t);
    if (f.rst_not_sent_by_us > 0 && reset) return SinkFinding::two_sided;
    if (f.server_sent_rst) return SinkFinding::server_rst;
    if (reset) return SinkFinding::client_only;
    if (t.ok()) return SinkFinding::clean;
    if (f.syn_seen && !f.client_hello_seen && t.hello_sent_ms) return SinkFinding::no_client_hello;
    if (f.client_hello_seen && f.server_answered && !t.server_hello_seen)
        return SinkFinding::answer_lost;
    return SinkFinding::clean;
}

SinkTrialFinding finding_for(const Trial& t, const ConnectionRecord& r, std::string matched_by) {
    SinkTrialFinding f;
    f.trial_id = t.id;
    f.matched_by = std::move(matched_by);
    f.syn_seen = r.syn_seen;
    if (r.syn_seen) f.syn_ttl = r.syn_ttl;
    f.client_hello_seen = r.client_hello_seen;
    f.server_name = r.sni;
    f.server_answered = r.server_bytes > 0;
    f.server_sent_rst = !r.sent_rst.empty();
    for (const auto& e : r.received) {
        if (!has(e.flags, tcp_flag::rst)) continue;
        ++f.rst_received;
        f.rst_ttls.push_back(e.ttl);
        if (rst_not_sent_by_us(e, r, t)) ++f.rst_not_sent_by_us;
    }
    f.finding = classify(f, t);
    return f;
}

bool is_tls_trial(const Trial& t) {
    return !is_http_variant(t.variant);
}

}  // namespace

bool rst_not_sent_by_us(const TcpEvent& rst, const ConnectionRecord& record, const Trial& trial) {
    // Our own packets all arrive with the TTL our SYN arrived with (same host, same
    // path). A different TTL is forged even when the sequence number is exactly the one
    // our kernel uses for its own RST: an injector aiming at the server uses that too.
    if (record.syn_seen &&
        std::abs(static_cast<int>(rst.ttl) - static_cast<int>(record.syn_ttl)) > 1)
        return true;
    // Same TTL: ours if our capture saw an RST with that sequence number leave (or,
    // without capture, given the benefit of the doubt).
    if (!trial.captured) return false;
    for (const auto& p : trial.packets)
        if (p.direction == Direction::outbound && has(p.flags, tcp_flag::rst) && p.seq == rst.seq)
            return false;
    return true;
}

SinkReport correlate_trials(const std::vector<Trial>& trials,
                            const std::vector<ConnectionRecord>& records,
                            const CorrelationContext& context) {
    SinkReport report;
    report.records = static_cast<int>(records.size());
    std::vector<bool> used(records.size(), false);
    std::map<int, std::pair<int, std::string>> match;  // trial index -> (record index, how)

    // Pass 1: the 4-tuple as we sent it.
    for (size_t i = 0; i < trials.size(); ++i) {
        const Trial& t = trials[i];
        if (!is_tls_trial(t) || t.local_port == 0) continue;
        int r = closest(records, used, t, context, [&](const ConnectionRecord& rec) {
            return rec.client_port == t.local_port &&
                   (context.local_address.empty() || rec.client == context.local_address);
        });
        if (r >= 0) {
            used[static_cast<size_t>(r)] = true;
            match[static_cast<int>(i)] = {r, "4-tuple"};
        }
    }
    // Pass 2: behind a NAT, our initial sequence number.
    for (size_t i = 0; i < trials.size(); ++i) {
        const Trial& t = trials[i];
        auto isn = our_isn(t);
        if (!is_tls_trial(t) || match.count(static_cast<int>(i)) || !isn) continue;
        int r = closest(records, used, t, context, [&](const ConnectionRecord& rec) {
            return rec.syn_seen && rec.syn_seq == *isn;
        });
        if (r >= 0) {
            used[static_cast<size_t>(r)] = true;
            match[static_cast<int>(i)] = {r, "isn"};
        }
    }
    // Pass 3: no capture and a NAT: time and the name the server received.
    for (size_t i = 0; i < trials.size(); ++i) {
        const Trial& t = trials[i];
        if (!is_tls_trial(t) || match.count(static_cast<int>(i)) || t.server_name.empty()) continue;
        int r = closest(records, used, t, context, [&](const ConnectionRecord& rec) {
            return rec.client_hello_seen && iequals(rec.sni, t.server_name);
        });
        if (r >= 0) {
            used[static_cast<size_t>(r)] = true;
            match[static_cast<int>(i)] = {r, "time_sni"};
        }
    }

    for (size_t i = 0; i < trials.size(); ++i) {
        const Trial& t = trials[i];
        if (!is_tls_trial(t)) continue;
        auto it = match.find(static_cast<int>(i));
        if (it == match.end()) {
            if (!t.ok()) {
                ++report.trials_unmatched;
                if (t.connect_ms)
                    continue;  // TCP connected: the sink should have seen it (wrong interface?)
                SinkTrialFinding f;
                f.trial_id = t.id;
                f.finding = SinkFinding::no_connection;
                report.trials.push_back(f);
            }
            continue;
        }
        ++report.trials_matched;
        report.trials.push_back(
            finding_for(t, records[static_cast<size_t>(it->second.first)], it->second.second));
    }
    return report;
}

}  // namespace sniprobe::sink
