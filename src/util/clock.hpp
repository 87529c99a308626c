// The two clocks sniprobe reads: the monotonic clock for deadlines, pacing and elapsed
// times (it never jumps), and the wall clock for timestamps that must line up with other
// machines' records and with pcap timestamps (seconds since the Unix epoch). Every stage
// reads time through these functions, so all durations and stamps share one definition.
#pragma once

#include <chrono>
#include <cstdint>

namespace sniprobe {

// CLOCK_MONOTONIC now, in seconds.
double monotonic_seconds();
// CLOCK_MONOTONIC now, in whole milliseconds.
uint64_t monotonic_ms();
// CLOCK_REALTIME now, in seconds since the Unix epoch.
double realtime_seconds();
// Whole milliseconds from now to `deadline` (0 once it has passed): a poll() timeout.
int ms_until(std::chrono::steady_clock::time_point deadline);

}  // namespace sniprobe
