// RLIMIT_NOFILE handling (see fd_limit.hpp). With CAP_SYS_RESOURCE the hard limit can be
// raised too (up to fs.nr_open); that is tried before giving up.
#include "scan/fd_limit.hpp"

#include <sys/resource.h>

#include <fmt/core.h>

#include <algorithm>

namespace sniprobe::scan {

Result<long> ensure_fd_limit(int concurrency) {
    const rlim_t needed = static_cast<rlim_t>(concurrency) + static_cast<rlim_t>(k_reserved_fds);
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return fail("getrlimit(RLIMIT_NOFILE) failed");
    if (limit.rlim_cur >= needed) return static_cast<long>(limit.rlim_cur);
    if (limit.rlim_max >= needed) {
        rlimit raised{limit.rlim_max, limit.rlim_max};
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return static_cast<long>(raised.rlim_cur);
    }
    rlimit both{needed, std::max(needed, limit.rlim_max)};
    if (::setrlimit(RLIMIT_NOFILE, &both) == 0) return static_cast<long>(both.rlim_cur);
    const long fit = std::max(1L, static_cast<long>(limit.rlim_max) - k_reserved_fds);
    return fail(fmt::format(
        "--concurrency {} needs about {} file descriptors, but the hard limit (RLIMIT_NOFILE) is {}: "
        "use --concurrency {} or less, or raise the limit (ulimit -Hn, or LimitNOFILE= for a service)",
        concurrency, needed, limit.rlim_max, fit));
}

}  // namespace sniprobe::scan
