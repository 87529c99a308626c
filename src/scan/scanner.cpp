// The scan pipeline (see scanner.hpp). Bookkeeping, all on the engine's thread: a FIFO
// of planned trials, the window of pending targets keyed by serial, the control sets
// keyed by "ip|port|control name", and an owner table from trial id to whoever waits
// for it. A control set is kept while a target in the window uses it and then cached
// (bounded) so later names on the same address reuse it; evicted sets are probed again.
#include "scan/scanner.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <vector>

#include "probe/engine.hpp"
#include "resolve/resolver.hpp"
#include "resolve/target.hpp"
#include "util/clock.hpp"
#include "util/interrupt.hpp"

namespace sniprobe::scan {
namespace {

constexpr size_t k_max_cached_control_sets = 4096;
constexpr size_t k_max_queue_look = 256;  // queued trials examined for a startable one

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
        m_stats.trials = static_cast<long>(run_trial_stream(source, probe, hooks));
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

    static std::string address_key(const PlannedTrial& t) {
        return t.address + "|" + std::to_string(t.port);
    }

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
        auto next = m_next_target();
        if (!next) {
            m_input_done = true;
            return;
        }
        PendingTarget p;
        p.target = std::move(*next);
        const Target target = as_target(p.target);
        p.control_sni =
            m_options.control_sni.empty() ? default_control_sni(target) : m_options.control_sni;
        p.ip = p.target.ip;
        if (p.ip.empty()) {
            ResolveOptions resolve_options;
            resolve_options.timeout_ms = m_options.resolve_timeout_ms;
            resolve_options.max_addresses = 1;
            Resolution resolution = resolve(target, resolve_options);
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
        if (auto in_flight = m_in_flight.find(trial.address + "|" + std::to_string(trial.port));
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
        emit(judge_target(p.target, p.ip, "", p.control_sni, p.trials, controls.trials));
        if (--controls.users == 0 && m_controls.size() > k_max_cached_control_sets)
            m_controls.erase(controls_it);
        m_pending.erase(it);
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
    double m_start = 0;
    bool m_input_done = false;
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
