// A token bucket: tokens accrue at a steady rate up to a capacity, and each event takes
// one whole token. The sink limits queries per client and its own log lines with it, the
// probe engine paces new connections with it. Time is passed in (seconds on one clock,
// normally monotonic_seconds()), so tests need no clock and callers read the clock once.
#pragma once

namespace sniprobe {

class TokenBucket {
  public:
    // rate_per_s tokens accrue each second, up to capacity; the bucket holds `tokens` at start_s.
    TokenBucket(double rate_per_s, double capacity, double tokens, double start_s);

    // Adds what accrued since the last call (never beyond capacity), then takes one token;
    // false (and nothing taken) when less than one whole token is there.
    bool try_take(double now_s);
    // Seconds until try_take would succeed, as of the last call (0 when it would now, and
    // for a rate of zero, where no token ever comes).
    double wait_s() const;
    // Puts back one token that try_take handed out but the caller did not use.
    void give_back() { m_tokens += 1; }
    // When tokens were last counted (the start or the last try_take).
    double last_s() const { return m_last_s; }

  private:
    double m_rate_per_s;
    double m_capacity;
    double m_tokens;
    double m_last_s;
};

}  // namespace sniprobe
