// Residual-aware scheduling of a diagnose run. Some boxes, after one handshake naming a
// blocked server, drop or reset every new connection from the client to that server
// port for minutes (the GFW keys it on the 3-tuple for 90-180 s). Run all variants
// interleaved and the first target hello poisons every control that starts after it:
// the differential then sees no difference. So the run is staged:
//   1. a baseline: one trial of each control variant per address, before any target
//      name is sent, proving the path answers innocent names;
//   2. the rest of the plan, as before, while the guard watches the trials finish;
//   3. when a target-named hello failed, the baseline had passed, and every trial that
//      started after that hello (to the same address and port) failed at connect, the
//      guard stops: the remaining trials would only measure the block, and a drop costs
//      one timeout each. The verdict reads the timing (verdict/rules_residual.cpp).
// The guard only looks at Trials: it is unit-tested without a socket.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/trial.hpp"
#include "probe/engine.hpp"
#include "probe/plan.hpp"

namespace sniprobe {

// Moves the baseline (the first trial of each control-named TLS variant, per address)
// to the front of the plan, renumbers ids in run order, and returns how many lead.
size_t move_baseline_first(std::vector<PlannedTrial>& plan);

class ResidualGuard {
  public:
    // `baseline` trials lead the plan (move_baseline_first); `stop_after` trials that
    // started after the trigger must have failed at connect before the run stops.
    explicit ResidualGuard(size_t baseline, int stop_after = 6);

    Admit admit(const PlannedTrial& next) const;
    void on_done(const Trial& trial);

    bool stopped() const { return m_stopped; }
    // True once every baseline trial finished and none reached the server.
    bool baseline_failed() const {
        return m_baseline > 0 && m_baseline_left == 0 && m_baseline_reached == 0;
    }
    // One line for the notes when the guard stopped the run ("" otherwise).
    const std::string& stop_note() const { return m_note; }

  private:
    struct Seen {
        double t0 = 0;
        bool control = false;
        bool connect_failed = false;
        bool reached = false;
    };
    struct Tuple {  // one (address, port)
        std::optional<double> trigger_t;
        std::vector<Seen> seen;
    };
    void evaluate(const std::string& key, const Tuple& tuple);

    size_t m_baseline;
    int m_stop_after;
    size_t m_baseline_left;
    int m_baseline_reached = 0;
    bool m_stopped = false;
    std::string m_note;
    std::map<std::string, Tuple> m_tuples;
};

}  // namespace sniprobe
