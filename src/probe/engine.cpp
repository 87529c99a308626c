// The event loop (see engine.hpp). Trials come from a source (a fixed plan, or scan's
// stream) whenever a slot is free and the optional pacing allows. Every trial of a run has
// the same timeout, so deadlines fall in start order: the slots in flight form an intrusive
// list in that order, and the earliest deadline is its head — O(1) to add, remove and
// expire, nothing allocated — for diagnose's 6 and scan's thousands alike. Each slot keeps
// its Connection and Trial storage for the whole run; a socket is registered with epoll
// once, edge-triggered (closing it removes it).
#include "probe/engine.hpp"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

#include "probe/connection.hpp"
#include "util/clock.hpp"
#include "util/fd.hpp"
#include "util/interrupt.hpp"
#include "util/result.hpp"
#include "util/token_bucket.hpp"

namespace sniprobe {
namespace {

constexpr uint64_t k_interrupt_key = ~uint64_t{0};
constexpr int k_max_events = 256;
constexpr size_t k_no_slot = ~size_t{0};

struct Slot {
    std::optional<Connection> connection;
    Trial trial;  // the connection's; reused, so its strings keep their buffers
    size_t prev = k_no_slot, next = k_no_slot;  // the in-flight list, in deadline order
};

class Loop {
  public:
    // total < 0: a stream of unknown length (no on_progress, finished trials not kept).
    Loop(const TrialSource& source, int total, const ProbeOptions& options, const ProbeHooks& hooks,
         const TlsContexts& contexts)
        : m_source(source),
          m_total(total),
          m_options(options),
          m_hooks(hooks),
          m_contexts(contexts) {
        m_epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
        if (!m_epoll)
            throw Fatal(ErrorCode::io, std::string("epoll_create1: ") + std::strerror(errno));
        m_run_start = options.run_start_unix > 0 ? options.run_start_unix : realtime_seconds();
        m_slots = std::vector<Slot>(static_cast<size_t>(std::max(1, options.concurrency)));
        // Room for the longest TLS 1.3 suite name, so a slot's trials write theirs in place.
        for (Slot& s : m_slots) s.trial.cipher_suite.reserve(32);
        m_free.reserve(m_slots.size());
        for (size_t i = m_slots.size(); i-- > 0;) m_free.push_back(i);
        m_bind_early = total >= 0 || static_cast<bool>(hooks.on_socket_bound);
        if (int fd = interrupt_fd(); fd >= 0) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = k_interrupt_key;
            ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &ev);
        }
    }

    std::vector<Trial> run() {
        epoll_event events[k_max_events];
        if (const double rate = m_options.max_new_per_second; rate > 0)
            m_pacing.emplace(rate, std::max(1.0, rate / 20.0), 1.0, monotonic_seconds());
        while (!interrupted()) {
            bool drained = false;
            double pacing_wait_s = 0;
            while (!m_free.empty() && !interrupted()) {
                pacing_wait_s = take_token();
                if (pacing_wait_s > 0) break;
                auto next = m_source();
                if (!next) {
                    drained = true;
                    if (m_pacing) m_pacing->give_back();  // the token went unused
                    break;
                }
                start(std::move(*next));
            }
            if (m_head == k_no_slot && (drained || m_free.empty())) break;
            double wait_s = m_head == k_no_slot
                                ? pacing_wait_s
                                : m_slots[m_head].connection->deadline() - monotonic_seconds();
            if (pacing_wait_s > 0) wait_s = std::min(wait_s, pacing_wait_s);
            int wait_ms = wait_s <= 0 ? 0 : static_cast<int>(std::ceil(wait_s * 1000.0));
            int n = ::epoll_wait(m_epoll.get(), events, k_max_events, wait_ms);
            if (n < 0 && errno != EINTR)
                throw Fatal(ErrorCode::io, std::string("epoll_wait: ") + std::strerror(errno));
            bool stop = false;
            for (int i = 0; i < n; ++i) {
                if (events[i].data.u64 == k_interrupt_key) {
                    stop = true;
                    continue;
                }
                size_t slot = static_cast<size_t>(events[i].data.u64);
                if (!m_slots[slot].connection) continue;
                m_slots[slot].connection->on_events(events[i].events);
                settle(slot);
            }
            if (stop) break;
            double now = monotonic_seconds();
            while (m_head != k_no_slot && m_slots[m_head].connection->deadline() <= now) {
                size_t slot = m_head;
                m_slots[slot].connection->on_deadline();
                settle(slot);
            }
        }
        std::sort(m_done.begin(), m_done.end(),
                  [](const Trial& a, const Trial& b) { return a.id < b.id; });
        return std::move(m_done);
    }

  private:
    // Pacing (max_new_per_second): takes a token and returns 0, or returns the seconds
    // until one is due. The bucket holds at most 50 ms worth, so pauses do not turn into bursts.
    double take_token() {
        if (!m_pacing || m_pacing->try_take(monotonic_seconds())) return 0;
        return std::max(1e-4, m_pacing->wait_s());
    }

    void start(PlannedTrial&& planned) {
        size_t slot = m_free.back();
        m_free.pop_back();
        auto& s = m_slots[slot];
        const int id = planned.id;
        Connection& c = s.connection.emplace(std::move(planned), s.trial, m_contexts, m_run_start,
                                             m_options.timeout_ms, m_options.mss, m_options.depth,
                                             m_options.hello_shape, m_bind_early,
                                             m_options.count_hello_segments);
        c.open();
        if (!c.finished() && m_hooks.on_socket_bound)
            m_hooks.on_socket_bound(id, c.trial().local_port);
        c.connect();
        link(slot);
        if (!c.finished()) {
            epoll_event ev{};
            ev.events = Connection::k_events;
            ev.data.u64 = slot;
            // Should this fail (no memory), the trial's deadline still ends it.
            ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, c.fd(), &ev);
        }
        settle(slot);
    }

    // Appends a started slot to the in-flight list (its deadline is the latest).
    void link(size_t slot) {
        Slot& s = m_slots[slot];
        s.prev = m_tail;
        s.next = k_no_slot;
        if (m_tail != k_no_slot)
            m_slots[m_tail].next = slot;
        else
            m_head = slot;
        m_tail = slot;
    }

    void unlink(size_t slot) {
        Slot& s = m_slots[slot];
        if (s.prev != k_no_slot)
            m_slots[s.prev].next = s.next;
        else
            m_head = s.next;
        if (s.next != k_no_slot)
            m_slots[s.next].prev = s.prev;
        else
            m_tail = s.prev;
        s.prev = s.next = k_no_slot;
    }

    // Completes the slot when its trial finished.
    void settle(size_t slot) {
        auto& s = m_slots[slot];
        if (!s.connection->finished()) return;
        // The socket is already closed, which removed it from the epoll set.
        unlink(slot);
        s.connection.reset();
        m_free.push_back(slot);
        ++m_finished;
        if (m_hooks.on_trial_done) m_hooks.on_trial_done(s.trial);
        if (m_total < 0) return;  // a stream: the hook got the trial, nothing is kept
        m_done.push_back(std::move(s.trial));
        if (m_hooks.on_progress) m_hooks.on_progress(static_cast<int>(m_done.size()), m_total);
    }

  public:
    size_t finished() const { return m_finished; }

  private:
    const TrialSource& m_source;
    int m_total;
    size_t m_finished = 0;
    std::optional<TokenBucket> m_pacing;  // set when max_new_per_second > 0
    const ProbeOptions& m_options;
    const ProbeHooks& m_hooks;
    const TlsContexts& m_contexts;
    Fd m_epoll;
    double m_run_start = 0;
    bool m_bind_early = true;  // bind before connect (capture and reports need the port)
    std::vector<Slot> m_slots;
    std::vector<size_t> m_free;
    size_t m_head = k_no_slot, m_tail = k_no_slot;  // in flight, earliest deadline first
    std::vector<Trial> m_done;
};

}  // namespace

std::vector<Trial> run_trials(const std::vector<PlannedTrial>& plan, const ProbeOptions& options,
                              const ProbeHooks& hooks) {
    auto contexts = TlsContexts::create(options.ca_file);
    if (!contexts) throw usage_error(contexts.error().message);
    size_t next = 0;
    TrialSource source = [&]() -> std::optional<PlannedTrial> {
        if (next >= plan.size()) return std::nullopt;
        if (hooks.admit) {
            const Admit admit = hooks.admit(plan[next]);
            if (admit == Admit::stop) next = plan.size();
            if (admit != Admit::start) return std::nullopt;
        }
        return plan[next++];
    };
    Loop loop(source, static_cast<int>(plan.size()), options, hooks, *contexts);
    return loop.run();
}

size_t run_trial_stream(const TrialSource& next, const ProbeOptions& options,
                        const ProbeHooks& hooks) {
    // A scan never verifies a chain: the trust store is loaded only if a trial asks.
    auto contexts = TlsContexts::create(options.ca_file, TlsContexts::TrustStore::on_first_use);
    if (!contexts) throw usage_error(contexts.error().message);
    Loop loop(next, -1, options, hooks, *contexts);
    loop.run();
    return loop.finished();
}

}  // namespace sniprobe
