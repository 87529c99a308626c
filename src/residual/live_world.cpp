// The real ProbeWorld: control probes through the probe engine (one epoll loop, fresh
// source port each, OONI failure strings) on the run's own clock (CLOCK_REALTIME from
// run_start_unix, as trial t0 values are), and waits that a Ctrl-C cuts short — a
// residual measurement may last minutes, and the user must be able to stop it at once.
#include <poll.h>
#include <time.h>

#include <cerrno>

#include "probe/engine.hpp"
#include "residual/residual.hpp"
#include "util/interrupt.hpp"

namespace sniprobe::residual {
namespace {

double realtime_s() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Sleeps up to `seconds` on the interrupt pipe; false when a stop signal arrived.
bool interruptible_wait(double seconds) {
    timespec start{};
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    const double until = static_cast<double>(start.tv_sec) + static_cast<double>(start.tv_nsec) / 1e9 + seconds;
    while (!interrupted()) {
        timespec now{};
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        const double left = until - (static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9);
        if (left <= 0) return true;
        pollfd p{interrupt_fd(), POLLIN, 0};
        const int rc = ::poll(&p, interrupt_fd() >= 0 ? 1 : 0, static_cast<int>(left * 1000) + 1);
        if (rc < 0 && errno != EINTR) return !interrupted();
    }
    return false;
}

}  // namespace

ProbeWorld live_world(const ProbeOptions& probe) {
    ProbeWorld world;
    world.run = [probe](const std::vector<PlannedTrial>& plan) {
        ProbeOptions options = probe;
        options.concurrency = static_cast<int>(plan.size());
        return run_trials(plan, options);
    };
    const double start = probe.run_start_unix;
    world.now_s = [start] { return realtime_s() - start; };
    world.wait = interruptible_wait;
    return world;
}

}  // namespace sniprobe::residual
