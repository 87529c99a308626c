// summarize_trace(): plain data in, plain data out, so the middlebox-hop rule is tested
// without sockets. Interference at a TTL is an RST/FIN/alert the control never drew, or
// a black hole: the target's hellos mostly vanish (no ICMP, no answer) where the
// control's draw a time-exceeded or a ServerHello. One reset in three repetitions is
// enough (boxes are probabilistic); a black hole needs a majority (one lost ICMP is not
// a box).
#include <algorithm>
#include <map>

#include "trace/trace.hpp"

namespace sniprobe::trace {

namespace {

bool is_reset_like(const std::string& outcome) {
    return outcome == "rst" || outcome == "fin" || outcome == "alert";
}

bool is_answer(const std::string& outcome) {
    return outcome == "time_exceeded" || outcome == "server_hello";
}

struct TtlRow {
    std::vector<const TraceObservation*> target, control;
};

std::string majority(const std::vector<const TraceObservation*>& obs) {
    std::map<std::string, int> counts;
    for (const auto* o : obs) ++counts[o->outcome];
    std::string best;
    int best_count = 0;
    for (const auto* o : obs)  // first-seen order breaks ties
        if (counts[o->outcome] > best_count) {
            best = o->outcome;
            best_count = counts[o->outcome];
        }
    return best;
}

std::string router_of(const TtlRow& row) {
    for (const auto* list : {&row.control, &row.target})
        for (const auto* o : *list)
            if (!o->router.empty()) return o->router;
    return "";
}

bool interferes(const TtlRow& row) {
    auto count = [](const std::vector<const TraceObservation*>& obs, auto pred) {
        return static_cast<int>(
            std::count_if(obs.begin(), obs.end(), [&](const auto* o) { return pred(o->outcome); }));
    };
    int target_resets = count(row.target, is_reset_like);
    int control_resets = count(row.control, is_reset_like);
    if (target_resets > 0 && control_resets == 0) return true;
    int target_silent = count(row.target, [](const std::string& o) { return o == "timeout"; });
    int control_answered = count(row.control, is_answer);
    return !row.target.empty() && target_silent * 2 > static_cast<int>(row.target.size()) &&
           control_answered * 2 > static_cast<int>(row.control.size());
}

}  // namespace

TraceResult summarize_trace(const std::vector<TraceObservation>& observations) {
    std::map<int, TtlRow> rows;
    for (const auto& o : observations)
        (o.role == NameRole::target ? rows[o.ttl].target : rows[o.ttl].control).push_back(&o);

    TraceResult result;
    for (const auto& [ttl, row] : rows) {
        TraceHop hop;
        hop.ttl = ttl;
        hop.router = router_of(row);
        hop.outcome = majority(row.target);
        hop.control_outcome = majority(row.control);
        result.hops.push_back(hop);
        if (!result.middlebox_hop && interferes(row)) {
            result.middlebox_hop = ttl;
            result.middlebox_router = hop.router;
        }
    }
    if (!result.middlebox_hop) return result;

    // Past the box (and before the server): do the target's hellos still reach routers?
    bool later_routers_seen = false, swallowed = false;
    for (const auto& [ttl, row] : rows) {
        if (ttl <= *result.middlebox_hop) continue;
        bool control_expired =
            std::any_of(row.control.begin(), row.control.end(),
                        [](const auto* o) { return o->outcome == "time_exceeded"; });
        if (!control_expired) continue;  // the control reached the server: no routers left
        bool target_router = std::any_of(row.target.begin(), row.target.end(),
                                         [](const auto* o) { return !o->router.empty(); });
        (target_router ? later_routers_seen : swallowed) = true;
    }
    if (later_routers_seen)
        result.placement = "on_path";
    else if (swallowed)
        result.placement = "in_path";
    return result;
}

}  // namespace sniprobe::trace
