// clock_gettime behind the clock functions of clock.hpp; seconds as doubles keep
// nanosecond resolution for the next century, which is finer than any timer we arm.
#include "util/clock.hpp"

#include <time.h>

#include <algorithm>

namespace sniprobe {
namespace {

timespec read_clock(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return ts;
}

double as_seconds(const timespec& ts) {
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

double monotonic_seconds() {
    return as_seconds(read_clock(CLOCK_MONOTONIC));
}

uint64_t monotonic_ms() {
    const timespec ts = read_clock(CLOCK_MONOTONIC);
    return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

double realtime_seconds() {
    return as_seconds(read_clock(CLOCK_REALTIME));
}

int ms_until(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

}  // namespace sniprobe
