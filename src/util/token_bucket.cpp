// The token bucket of token_bucket.hpp. A clock that steps backwards adds nothing rather
// than draining the bucket.
#include "util/token_bucket.hpp"

#include <algorithm>

namespace sniprobe {

TokenBucket::TokenBucket(double rate_per_s, double capacity, double tokens, double start_s)
    : m_rate_per_s(rate_per_s), m_capacity(capacity), m_tokens(tokens), m_last_s(start_s) {}

bool TokenBucket::try_take(double now_s) {
    m_tokens = std::min(m_capacity, m_tokens + std::max(0.0, now_s - m_last_s) * m_rate_per_s);
    m_last_s = now_s;
    if (m_tokens < 1.0) return false;
    m_tokens -= 1.0;
    return true;
}

double TokenBucket::wait_s() const {
    if (m_tokens >= 1.0 || m_rate_per_s <= 0) return 0;
    return (1.0 - m_tokens) / m_rate_per_s;
}

}  // namespace sniprobe
