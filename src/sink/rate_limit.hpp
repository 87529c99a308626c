// Per-client-address rate limiting for the sink's query port: a token bucket per
// address (burst, then a steady rate), so one client polling in a loop or flooding
// cannot starve the others. The table of addresses is itself bounded: when full, the
// address idle longest is forgotten (it starts again with a full bucket, which only
// ever errs towards serving). Time is passed in, so tests need no clock.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "util/token_bucket.hpp"

namespace sniprobe::sink {

class RateLimiter {
  public:
    // requests_per_s: steady rate; burst: bucket size; max_clients: addresses remembered.
    RateLimiter(double requests_per_s, double burst, size_t max_clients = 4096);

    // Takes one token for `client` at now_s; false when its bucket is empty.
    bool allow(const std::string& client, double now_s);

    size_t tracked() const { return m_buckets.size(); }

  private:
    double m_rate_per_s;
    double m_burst;
    size_t m_max_clients;
    std::unordered_map<std::string, TokenBucket> m_buckets;
};

}  // namespace sniprobe::sink
