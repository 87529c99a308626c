// Descriptors for thousands of sockets in flight: each probe holds one socket, and the
// default soft RLIMIT_NOFILE (1024) is below what a scan needs. This file only computes:
// how many descriptors a scan needs, and what to tell the user when the hard limit is
// too low. Raising the limit changes the whole process, so the command line does it
// (cli/scan_command.cpp); a scan that cannot get its descriptors fails up front with
// this message instead of failing probes with EMFILE, which would look like network
// trouble in the results.
#pragma once

#include "util/result.hpp"

namespace sniprobe::scan {

// Descriptors kept aside for everything but the probe sockets (epoll, files, DNS).
inline constexpr long k_reserved_fds = 64;

// The RLIMIT_NOFILE soft limit a scan with `concurrency` sockets in flight needs.
long fds_needed(int concurrency);

// The usage error when even `hard_limit` is below fds_needed(concurrency): says what to
// do (lower --concurrency, or raise the hard limit).
Error fd_limit_error(int concurrency, long hard_limit);

}  // namespace sniprobe::scan
