// Token buckets per client address (see rate_limit.hpp).
#include "sink/rate_limit.hpp"

#include <algorithm>

namespace sniprobe::sink {

RateLimiter::RateLimiter(double requests_per_s, double burst, size_t max_clients)
    : m_rate_per_s(requests_per_s),
      m_burst(std::max(burst, 1.0)),
      m_max_clients(std::max<size_t>(max_clients, 1)) {}

bool RateLimiter::allow(const std::string& client, double now_s) {
    auto it = m_buckets.find(client);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_max_clients) {
            auto idle = std::min_element(
                m_buckets.begin(), m_buckets.end(),
                [](const auto& a, const auto& b) { return a.second.last_s() < b.second.last_s(); });
            m_buckets.erase(idle);
        }
        it = m_buckets.emplace(client, TokenBucket(m_rate_per_s, m_burst, m_burst, now_s)).first;
    }
    return it->second.try_take(now_s);
}

}  // namespace sniprobe::sink
