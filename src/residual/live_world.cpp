// The real ProbeWorld: control probes through the probe engine (one epoll loop, fresh
// source port each, OONI failure strings) on the run's own clock (CLOCK_REALTIME from
// run_start_unix, as trial t0 values are), and waits that a Ctrl-C cuts short — a
// residual measurement may last minutes, and the user must be able to stop it at once.
#include <poll.h>

#include <cerrno>

#include "probe/engine.hpp"
#include "residual/residual.hpp"
#include "util/clock.hpp"
#include "util/interrupt.hpp"

namespace sniprobe::residual {
namespace {

// Sleeps up to `seconds` on the interrupt pipe; false when a stop signal arrived.
bool interruptible_wait(double seconds) {
    const double until = monotonic_seconds() + seconds;
    while (!interrupted()) {
        const double left = until - monotonic_seconds();
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
    world.now_s = [start] { return realtime_seconds() - start; };
    world.wait = interruptible_wait;
    return world;
}

}  // namespace sniprobe::residual
