// The residual measurement loop and the scope decision. The first round probes the
// tuple and the other ports together, right away, so the scope is read while the block
// is certainly on; then only the tuple is probed until it passes (or the bound). The
// quirk of the scope: an other port that fails during the block only proves a
// 2-field (address-wide) block if that port answers at all — so it is probed again once
// the block has cleared, and a port that answered before the trigger counts too.
#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "residual/residual.hpp"

namespace sniprobe::residual {
namespace {

// The control probe of one port: TLS with the control SNI, or plain HTTP with it as Host.
PlannedTrial control_probe(int id, const std::string& address, uint16_t port, const Target& target,
                           bool http) {
    PlannedTrial p;
    p.id = id;
    p.variant = http ? Variant::http_host : Variant::control_sni;
    p.address = address;
    p.port = port;
    p.server_name = target.control_sni;
    return p;
}

// The server spoke: a handshake, an alert (8443 may reject every name), an HTTP answer.
bool server_answered(const Trial& t) {
    return t.ok() || t.server_hello_seen || !t.alert_received.empty() || t.http_status.has_value();
}

// Records the finished trials as probes of `phase`, relative to the trigger.
void record(ResidualReport& r, const std::vector<Trial>& trials, double trigger_t,
            ResidualPhase phase) {
    for (const Trial& t : trials)
        r.probes.push_back({t.t0 - trigger_t, t.port,
                            t.variant == Variant::http_host ? "http" : "tls", t.server_name, phase,
                            t.failure, server_answered(t)});
}

// The tuple's own probe among finished trials (id 0 by construction), if it finished.
const Trial* tuple_probe(const std::vector<Trial>& trials) {
    auto it = std::find_if(trials.begin(), trials.end(), [](const Trial& t) { return t.id == 0; });
    return it == trials.end() ? nullptr : &*it;
}

// Ports other than the tuple's that answered before the trigger, in the run itself.
std::vector<uint16_t> open_before(const Diagnosis& d, const Trigger& trigger) {
    std::set<uint16_t> ports;
    for (const Trial& t : d.trials)
        if (server_answered(t) && t.address == trigger.address && t.port != trigger.port &&
            t.t < trigger.t)
            ports.insert(t.port);
    return {ports.begin(), ports.end()};
}

}  // namespace

void decide_scope(ResidualReport& r, const std::vector<uint16_t>& open_before_trigger) {
    r.keyed_fields.reset();
    if (r.status == ResidualStatus::no_trigger) return;
    if (r.status == ResidualStatus::not_blocked) {
        r.scope = fmt::format(
            "the first probe on a fresh source port to {}:{} passed: no block of the (client, "
            "server, port) tuple outlasted it; a block of the triggering connection alone (all "
            "4 fields) cannot be seen, each probe uses a new source port",
            r.address, r.port);
        return;
    }
    std::set<uint16_t> others, open_during, blocked_during, answers;
    for (uint16_t p : open_before_trigger) answers.insert(p);
    for (const ResidualProbe& p : r.probes) {
        if (p.port == r.port) continue;
        others.insert(p.port);
        if (p.answered) answers.insert(p.port);
        if (p.phase != ResidualPhase::during) continue;
        (p.answered ? open_during : blocked_during).insert(p.port);
    }
    if (!open_during.empty()) {
        r.keyed_fields = 3;
        r.scope = fmt::format(
            "port {} on the same server answered while port {} was blocked: keyed on (client IP, "
            "server IP, server port)",
            *open_during.begin(), r.port);
        return;
    }
    for (uint16_t p : blocked_during) {
        if (!answers.count(p)) continue;
        r.keyed_fields = 2;
        r.scope = fmt::format(
            "port {} on the same server failed too during the block but answers otherwise: keyed "
            "on (client IP, server IP)",
            p);
        return;
    }
    std::string tried;
    for (uint16_t p : others) tried += (tried.empty() ? "" : ", ") + std::to_string(p);
    r.scope = fmt::format(
        "fresh source ports were blocked, so the block covers at least (client IP, server IP, "
        "server port); {} so an address-wide block (2 fields) cannot be told from a port block "
        "(3)",
        tried.empty() ? "no other port was tried,"
                      : "no other port (" + tried + ") answered before or after the block,");
}

ResidualReport measure(const Diagnosis& d, const MeasureOptions& options, const ProbeWorld& world) {
    ResidualReport r;
    r.max_s = options.max_s;
    r.control_name = d.target.control_sni;
    const auto trigger = find_trigger(d);
    if (!trigger) return r;
    r.trigger_trial_id = trigger->trial_id;
    r.trigger_t = trigger->t;
    r.address = trigger->address;
    r.port = trigger->port;

    // Round 1: the tuple (id 0) and the other ports, all at once.
    std::vector<PlannedTrial> first{control_probe(0, r.address, r.port, d.target, false)};
    for (uint16_t p : options.other_tls_ports)
        if (p != r.port)
            first.push_back(
                control_probe(static_cast<int>(first.size()), r.address, p, d.target, false));
    if (options.http_port != 0 && options.http_port != r.port)
        first.push_back(control_probe(static_cast<int>(first.size()), r.address, options.http_port,
                                      d.target, true));
    auto trials = world.run(first);
    record(r, trials, trigger->t, ResidualPhase::during);
    auto report_round = [&] {
        if (world.on_round) world.on_round(world.now_s() - trigger->t);
    };
    report_round();
    const Trial* tuple = tuple_probe(trials);
    if (!tuple) {
        r.status = ResidualStatus::interrupted;
        return r;
    }
    if (server_answered(*tuple)) {
        r.status = ResidualStatus::not_blocked;
        decide_scope(r, open_before(d, *trigger));
        return r;
    }
    r.blocked_until_s = tuple->t0 - trigger->t;

    // Then the tuple alone, backing off, until it passes or the bound.
    double last_start = *r.blocked_until_s;
    r.status = ResidualStatus::still_blocked;
    for (int round = 1; round < options.max_probe_rounds; ++round) {
        const double since = world.now_s() - trigger->t;
        if (since >= options.max_s || last_start >= options.max_s) break;
        const double next = std::min(last_start + next_probe_delay_s(last_start), options.max_s);
        if (next > since && !world.wait(next - since)) {
            r.status = ResidualStatus::interrupted;
            break;
        }
        trials = world.run({control_probe(0, r.address, r.port, d.target, false)});
        tuple = tuple_probe(trials);
        if (!tuple) {
            r.status = ResidualStatus::interrupted;
            break;
        }
        record(r, trials, trigger->t, ResidualPhase::during);
        report_round();
        last_start = tuple->t0 - trigger->t;
        if (server_answered(*tuple)) {
            r.window_s = last_start;
            r.status = ResidualStatus::cleared;
            break;
        }
        r.blocked_until_s = last_start;
    }

    // Once clear, ask the other ports that failed whether they answer at all.
    if (r.status == ResidualStatus::cleared) {
        std::vector<PlannedTrial> again;
        for (const PlannedTrial& p : first) {
            const bool failed = p.id != 0 && std::any_of(r.probes.begin(), r.probes.end(),
                                                         [&](const ResidualProbe& q) {
                                                             return q.port == p.port && !q.answered;
                                                         });
            if (failed) again.push_back(p);
        }
        if (!again.empty()) record(r, world.run(again), trigger->t, ResidualPhase::after);
    }
    decide_scope(r, open_before(d, *trigger));
    return r;
}

}  // namespace sniprobe::residual
