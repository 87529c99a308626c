// The scan pipeline (see scanner.hpp). Bookkeeping, all on the engine's thread: a FIFO
// of planned trials, the window of pending targets keyed by serial, the control sets
// keyed by "ip|port|control name", and an owner table from trial id to whoever waits
// for it. A control set is kept while a target in the window uses it and then cached
// (bounded) so later names on the same address reuse it; evicted sets are probed again.
#include "scan/scanner.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "probe/engine.hpp"
#include "probe/quic_trials.hpp"
#include "quic/exchange.hpp"
#include "resolve/resolver.hpp"
#include "resolve/target.hpp"
#include "util/clock.hpp"
#include "util/interrupt.hpp"

namespace sniprobe::scan {
namespace {

constexpr size_t k_max_cached_control_sets = 4096;
constexpr size_t k_max_queue_look = 256;  // queued trials examined for a startable one
// --quic: the gap between a batch's rounds of first flights. Short beside the 300 ms or
// more a censor takes to start dropping a flow's tuple after a trigger, long enough for
// a server to drain one round before the next arrives.
constexpr int k_quic_round_gap_ms = 20;

Target as_target(const ScanTarget& t) {
    Target target;
    target.input = t.host;
    target.host = t.host;
    target.sni = t.host;
    target.port = t.port;
    return target;
}

struct ControlSet {
    std::vector<Trial> trials;
    int outstanding = 0;
    int users = 0;                  // window targets that use these controls
    std::vector<uint64_t> waiting;  // targets done with their own trials, waiting for these
};

struct PendingTarget {
    ScanTarget target;
    std::string ip, control_sni, control_key;
    std::vector<Trial> trials;
    int outstanding = 0;
};

// A target whose TCP trials are in, waiting for its chunk's QUIC batches (--quic).
struct ReadyTarget {
    ScanTarget target;
    std::string ip, control_sni;
    std::vector<Trial> trials, control_trials;  // TCP: its own, its address's controls
};

struct Owner {
    bool control = false;
    uint64_t serial = 0;      // target serial (control == false)
    std::string control_key;  // control == true
};

class Scanner {
  public:
    Scanner(const TargetSource& next_target, const ScanOptions& options,
            const RecordSink& on_record)
        : m_next_target(next_target),
          m_options(options),
          m_on_record(on_record),
          m_window(window_for(options)),
          m_per_address(std::max(1, options.per_address)) {}

    ScanStats run() {
        m_start = realtime_seconds();
        ProbeOptions probe;
        probe.concurrency = std::max(1, m_options.concurrency);
        probe.timeout_ms = m_options.timeout_ms;
        probe.depth = m_options.depth;
        probe.hello_shape = m_options.hello_shape;
        probe.count_hello_segments = false;  // a scan record does not carry it
        probe.max_new_per_second = m_options.rate;
        probe.ca_file = m_options.ca_file;
        probe.run_start_unix = m_start;
        ProbeHooks hooks;
        hooks.on_trial_done = [this](Trial& trial) { on_trial_done(trial); };
        TrialSource source = [this] { return next_trial(); };
        const size_t chunk = m_options.quic_chunk_targets > 0 ? m_options.quic_chunk_targets
                                                              : std::max<size_t>(m_window, 1);
        do {
            m_input_done = false;
            m_chunk_left = m_options.quic ? chunk : SIZE_MAX;
            m_stats.trials += static_cast<long>(run_trial_stream(source, probe, hooks));
            if (m_options.quic && !interrupted()) run_quic_chunk();
        } while (m_options.quic && !m_source_done && !interrupted());
        m_stats.interrupted = interrupted();
        m_stats.elapsed_s = realtime_seconds() - m_start;
        return m_stats;
    }

  private:
    // The first queued trial whose address is under its cap (looking a bounded way into
    // the queue), admitting more targets while none is startable and the window allows.
    std::optional<PlannedTrial> next_trial() {
        while (!interrupted()) {
            const size_t look = std::min(m_queue.size(), k_max_queue_look);
            const PlannedTrial* last_blocked = nullptr;  // runs of one address: one lookup
            for (size_t i = 0; i < look; ++i) {
                const PlannedTrial& t = m_queue[i];
                if (last_blocked && t.port == last_blocked->port &&
                    t.address == last_blocked->address)
                    continue;
                int& in_flight = m_in_flight[address_key(t)];
                if (in_flight >= m_per_address) {
                    last_blocked = &t;
                    continue;
                }
                ++in_flight;
                m_stats.max_address_in_flight =
                    std::max(m_stats.max_address_in_flight, static_cast<long>(in_flight));
                PlannedTrial next = std::move(m_queue[i]);
                m_queue.erase(m_queue.begin() + static_cast<std::ptrdiff_t>(i));
                return next;
            }
            if (m_pending.size() >= m_window || m_input_done) return std::nullopt;
            admit();
        }
        return std::nullopt;
    }

    // "ip|port", written into one kept buffer (looked up for every trial started and ended).
    const std::string& address_key(const std::string& address, uint16_t port) {
        m_key.assign(address);
        m_key += '|';
        char digits[8];
        m_key.append(digits, std::to_chars(digits, digits + sizeof digits, port).ptr);
        return m_key;
    }
    const std::string& address_key(const PlannedTrial& t) { return address_key(t.address, t.port); }

    void plan(Variant variant, const std::string& ip, uint16_t port, const std::string& name,
              Owner owner) {
        PlannedTrial trial;
        trial.id = m_next_trial_id++;
        trial.variant = variant;
        trial.address = ip;
        trial.port = port;
        trial.server_name = name;
        m_owner.emplace(trial.id, std::move(owner));
        m_queue.push_back(std::move(trial));
    }

    // Reads one target into the window, planning its trials (and its address's controls
    // when they are new). A name that does not resolve is judged at once.
    void admit() {
        if (m_chunk_left == 0) {  // --quic: this chunk is full, its QUIC batches come first
            m_input_done = true;
            return;
        }
        auto next = m_next_target();
        if (!next) {
            m_input_done = true;
            m_source_done = true;
            return;
        }
        if (m_chunk_left != SIZE_MAX) --m_chunk_left;
        PendingTarget p;
        p.target = std::move(*next);
        if (m_options.control_sni.empty()) {
            Target named;  // the default control name depends on the host alone
            named.host = p.target.host;
            p.control_sni = default_control_sni(named);
        } else {
            p.control_sni = m_options.control_sni;
        }
        p.ip = p.target.ip;
        if (p.ip.empty()) {
            ResolveOptions resolve_options;
            resolve_options.timeout_ms = m_options.resolve_timeout_ms;
            resolve_options.max_addresses = 1;
            Resolution resolution = resolve(as_target(p.target), resolve_options);
            if (resolution.addresses.empty()) {
                std::string failure =
                    resolution.failure.empty() ? "dns_no_answer" : resolution.failure;
                emit(judge_target(p.target, "", failure, p.control_sni, {}, {}));
                return;
            }
            p.ip = resolution.addresses.front().address;
        }
        const uint64_t serial = m_next_serial++;
        p.control_key = p.ip + "|" + std::to_string(p.target.port) + "|" + p.control_sni;
        auto [it, fresh] = m_controls.try_emplace(p.control_key);
        ControlSet& controls = it->second;
        if (fresh) {
            ++m_stats.control_sets;
            for (int i = 0; i < m_options.control_trials; ++i) {
                plan(Variant::no_sni, p.ip, p.target.port, "", Owner{true, 0, p.control_key});
                plan(Variant::control_sni, p.ip, p.target.port, p.control_sni,
                     Owner{true, 0, p.control_key});
                controls.outstanding += 2;
            }
        }
        ++controls.users;
        for (int i = 0; i < m_options.trials; ++i) {
            plan(Variant::sni, p.ip, p.target.port, p.target.host, Owner{false, serial, {}});
            ++p.outstanding;
        }
        m_pending.emplace(serial, std::move(p));
        m_stats.max_targets_in_flight =
            std::max(m_stats.max_targets_in_flight, static_cast<long>(m_pending.size()));
    }

    void on_trial_done(Trial& trial) {
        if (auto in_flight = m_in_flight.find(address_key(trial.address, trial.port));
            in_flight != m_in_flight.end() && --in_flight->second <= 0)
            m_in_flight.erase(in_flight);
        auto owner_it = m_owner.find(trial.id);
        if (owner_it == m_owner.end()) return;
        Owner owner = std::move(owner_it->second);
        m_owner.erase(owner_it);
        if (owner.control) {
            ControlSet& controls = m_controls.at(owner.control_key);
            controls.trials.push_back(std::move(trial));
            if (--controls.outstanding > 0) return;
            std::vector<uint64_t> waiting = std::move(controls.waiting);
            for (uint64_t serial : waiting) finish(serial);
            return;
        }
        auto pending_it = m_pending.find(owner.serial);
        if (pending_it == m_pending.end()) return;
        PendingTarget& p = pending_it->second;
        p.trials.push_back(std::move(trial));
        if (--p.outstanding > 0) return;
        ControlSet& controls = m_controls.at(p.control_key);
        if (controls.outstanding > 0) {
            controls.waiting.push_back(owner.serial);
            return;
        }
        finish(owner.serial);
    }

    void finish(uint64_t serial) {
        auto it = m_pending.find(serial);
        if (it == m_pending.end()) return;
        PendingTarget& p = it->second;
        auto controls_it = m_controls.find(p.control_key);
        ControlSet& controls = controls_it->second;
        if (m_options.quic)
            m_ready.push_back(ReadyTarget{std::move(p.target), std::move(p.ip),
                                          std::move(p.control_sni), std::move(p.trials),
                                          controls.trials});
        else
            emit(judge_target(p.target, p.ip, "", p.control_sni, std::move(p.trials),
                              controls.trials));
        if (--controls.users == 0 && m_controls.size() > k_max_cached_control_sets)
            m_controls.erase(controls_it);
        m_pending.erase(it);
    }

    // --quic: the chunk's targets in batches (see scanner.hpp), each judged and written
    // once its batch is in. An interrupted batch writes nothing (--resume probes it again).
    void run_quic_chunk() {
        std::vector<ReadyTarget> ready = std::move(m_ready);
        m_ready.clear();
        const size_t cap = static_cast<size_t>(std::max(1, m_options.concurrency));
        const size_t address_cap = static_cast<size_t>(m_per_address);
        const int per_target = std::max(1, m_options.trials);
        const int per_control = std::max(0, m_options.quic_control_trials);
        const size_t control_cost = 3 * static_cast<size_t>(per_control);
        size_t next = 0;
        while (next < ready.size() && !interrupted()) {
            // Greedy: targets in order while the batch and each address stay under their caps
            // (a batch always takes at least one target).
            std::unordered_map<std::string, size_t> per_address;  // "ip|port" -> probes
            std::unordered_map<std::string, bool> controls_planned;
            size_t total = 0, end = next;
            for (; end < ready.size(); ++end) {
                const ReadyTarget& r = ready[end];
                const std::string address = r.ip + "|" + std::to_string(r.target.port);
                const bool new_controls = !controls_planned.contains(address + "|" + r.control_sni);
                const size_t cost =
                    static_cast<size_t>(per_target) + (new_controls ? control_cost : 0);
                if (end > next && (total + cost > cap || per_address[address] + cost > address_cap))
                    break;
                total += cost;
                per_address[address] += cost;
                controls_planned[address + "|" + r.control_sni] = true;
            }
            run_quic_batch(ready, next, end, per_target, per_control);
            next = end;
        }
    }

    void run_quic_batch(std::vector<ReadyTarget>& ready, size_t begin, size_t end, int per_target,
                        int per_control) {
        std::vector<quic::ProbeRequest> requests;
        std::vector<Trial> trials;
        int round_start_ms = 0;
        auto add = [&](Variant variant, const std::string& ip, uint16_t port,
                       const std::string& name) {
            quic::ProbeRequest request;
            request.kind = variant == Variant::quic_version_ping ? quic::ProbeKind::version_ping
                                                                 : quic::ProbeKind::hello;
            request.address = ip;
            request.port = port;
            request.server_name = name;
            request.ech = forge::EchGrease::off;
            request.timeout_ms = m_options.timeout_ms;
            request.start_after_ms = round_start_ms;
            requests.push_back(std::move(request));
            Trial trial;
            trial.variant = variant;
            trial.address = ip;
            trial.port = port;
            trial.server_name = name;
            trials.push_back(std::move(trial));
        };
        // Round by round (the k-th control of each address, then the k-th quic_sni of
        // each name), a round every k_quic_round_gap_ms. The order matters: a burst
        // that overflows a queue on the way (a policer, the server's socket buffer) loses
        // its tail, and a tail of one name's probes, or of names only, would read as that
        // name being blocked. Interleaved, a loss is spread over every name and the
        // controls alike.
        std::unordered_map<std::string, std::vector<size_t>> control_index;  // key -> trials
        std::vector<std::string> control_key_of(end - begin);
        std::vector<const ReadyTarget*> control_owner;  // first target of each new key
        for (size_t i = begin; i < end; ++i) {
            const ReadyTarget& r = ready[i];
            const std::string key =
                r.ip + "|" + std::to_string(r.target.port) + "|" + r.control_sni;
            control_key_of[i - begin] = key;
            if (control_index.try_emplace(key).second) control_owner.push_back(&r);
        }
        std::vector<std::vector<size_t>> sni_index(end - begin);
        for (int k = 0; k < std::max(per_control, per_target); ++k) {
            round_start_ms = k * k_quic_round_gap_ms;
            for (const ReadyTarget* r : control_owner) {
                if (k >= per_control) break;
                auto& indices = control_index[r->ip + "|" + std::to_string(r->target.port) + "|" +
                                              r->control_sni];
                for (Variant v :
                     {Variant::quic_control, Variant::quic_no_sni, Variant::quic_version_ping}) {
                    indices.push_back(trials.size());
                    add(v, r->ip, r->target.port, v == Variant::quic_control ? r->control_sni : "");
                }
            }
            for (size_t i = begin; i < end && k < per_target; ++i) {
                sni_index[i - begin].push_back(trials.size());
                add(Variant::quic_sni, ready[i].ip, ready[i].target.port, ready[i].target.host);
            }
        }
        const auto results =
            quic::run_probes(requests, static_cast<int>(std::max<size_t>(requests.size(), 1)));
        if (interrupted()) return;  // probes cut short: their silence means nothing
        const double mono_to_unix = realtime_seconds() - monotonic_seconds();
        for (size_t i = 0; i < trials.size() && i < results.size(); ++i) {
            Trial& t = trials[i];
            t.id = m_next_trial_id++;
            t.t0 = results[i].started_s + mono_to_unix - m_start;
            t.t = results[i].ended_s + mono_to_unix - m_start;
            describe_quic_result(results[i], t);
        }
        m_stats.trials += static_cast<long>(results.size());
        m_stats.quic_batches += 1;
        for (size_t i = begin; i < end; ++i) {
            ReadyTarget& r = ready[i];
            for (size_t index : sni_index[i - begin]) r.trials.push_back(trials[index]);
            for (size_t index : control_index.at(control_key_of[i - begin]))
                r.control_trials.push_back(trials[index]);
            emit(judge_target(r.target, r.ip, "", r.control_sni, std::move(r.trials),
                              r.control_trials));
            r = ReadyTarget{};
        }
    }

    void emit(ScanRecord record) {
        record.t = realtime_seconds() - m_start;
        ++m_stats.targets;
        ++m_stats.causes[std::string(to_name(record.verdict.cause))];
        m_on_record(record);
    }

    const TargetSource& m_next_target;
    const ScanOptions& m_options;
    const RecordSink& m_on_record;
    const size_t m_window;
    const int m_per_address;
    std::unordered_map<std::string, int> m_in_flight;  // "ip|port" -> connections in flight
    std::string m_key;                                 // address_key()'s buffer
    double m_start = 0;
    bool m_input_done = false;   // the current chunk's input (all of it without --quic)
    bool m_source_done = false;  // the input itself
    size_t m_chunk_left = SIZE_MAX;
    std::vector<ReadyTarget> m_ready;  // --quic: judged once the chunk's QUIC batches are in
    int m_next_trial_id = 0;
    uint64_t m_next_serial = 0;
    std::deque<PlannedTrial> m_queue;
    std::unordered_map<int, Owner> m_owner;
    std::unordered_map<uint64_t, PendingTarget> m_pending;
    std::unordered_map<std::string, ControlSet> m_controls;
    ScanStats m_stats;
};

}  // namespace

size_t window_for(const ScanOptions& options) {
    if (options.window_targets > 0) return options.window_targets;
    const size_t per_target = static_cast<size_t>(std::max(1, options.trials));
    return static_cast<size_t>(std::max(1, options.concurrency)) * 2 / per_target + 16;
}

ScanStats run_scan(const TargetSource& next_target, const ScanOptions& options,
                   const RecordSink& on_record) {
    Scanner scanner(next_target, options, on_record);
    return scanner.run();
}

}  // namespace sniprobe::scan
