// RLIMIT_NOFILE arithmetic and advice (see fd_limit.hpp).
#include "scan/fd_limit.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace sniprobe::scan {

long fds_needed(int concurrency) {
    return static_cast<long>(concurrency) + k_reserved_fds;
}

Error fd_limit_error(int concurrency, long hard_limit) {
    const long fit = std::max(1L, hard_limit - k_reserved_fds);
    return Error{fmt::format("--concurrency {} needs about {} file descriptors, but the hard limit "
                             "(RLIMIT_NOFILE) is {}: use --concurrency {} or less, or raise the "
                             "limit (ulimit -Hn, or LimitNOFILE= for a service)",
                             concurrency, fds_needed(concurrency), hard_limit, fit),
                 ErrorCode::usage};
}

}  // namespace sniprobe::scan
