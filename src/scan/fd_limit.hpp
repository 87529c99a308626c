// Descriptors for thousands of sockets in flight: each probe holds one socket, and the
// default soft RLIMIT_NOFILE (1024) is below what a scan needs. The soft limit is raised
// to the hard one (any process may do that); when even the hard limit is too low, the
// scan fails up front with a clear message instead of failing probes with EMFILE, which
// would look like network trouble in the results.
#pragma once

#include "util/result.hpp"

namespace sniprobe::scan {

// Descriptors kept aside for everything but the probe sockets (epoll, files, DNS).
inline constexpr long k_reserved_fds = 64;

// Makes room for `concurrency` sockets; returns the soft limit now in force, or an error
// that says what to do (lower --concurrency, or raise the hard limit).
Result<long> ensure_fd_limit(int concurrency);

}  // namespace sniprobe::scan
