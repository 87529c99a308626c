// Aggregator: the per-line work is a few array increments, one hash lookup in the client
// table and one ordered-map step for the time bucket; nothing grows with the log.
#include "logs/aggregate.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace sniprobe::logs {
namespace {

// Floor division for times before 1970 too.
int64_t floor_to(int64_t t, int64_t width) {
    int64_t q = t / width;
    if (t % width != 0 && t < 0) --q;
    return q * width;
}

struct Reasons {
    std::map<std::string, uint64_t, std::less<>> counts;
    uint64_t overflow = 0;
};

}  // namespace

struct Aggregator::State {
    explicit State(AggregateOptions o) : options(std::move(o)), clients(options.max_clients) {
        bucket_s = std::max<int64_t>(options.bucket_s, 1);
    }
    AggregateOptions options;
    LogSummary totals;  // counters only; tables are filled in summary()
    ClientTable clients;
    std::array<Reasons, k_class_count> reasons;
    std::map<int64_t, BucketRow> buckets;
    int64_t bucket_s = 60;

    void add_reason(FailureClass cls, std::string_view reason) {
        if (reason.empty()) return;
        Reasons& r = reasons[index(cls)];
        if (auto it = r.counts.find(reason); it != r.counts.end()) {
            ++it->second;
        } else if (r.counts.size() < options.max_reasons) {
            r.counts.emplace(std::string(reason.substr(0, 120)), 1);
        } else {
            ++r.overflow;
        }
    }

    void add_bucket(FailureClass cls, int64_t time_s) {
        BucketRow& b = buckets[floor_to(time_s, bucket_s)];
        ++b.failures;
        ++b.classes[index(cls)];
        while (buckets.size() > std::max<std::size_t>(options.max_buckets, 1)) widen();
    }

    void widen() {
        bucket_s = next_bucket_width(bucket_s);
        std::map<int64_t, BucketRow> merged;
        for (const auto& [start, row] : buckets) {
            BucketRow& m = merged[floor_to(start, bucket_s)];
            m.failures += row.failures;
            for (std::size_t i = 0; i < k_class_count; ++i) m.classes[i] += row.classes[i];
        }
        buckets = std::move(merged);
    }
};

int64_t next_bucket_width(int64_t width_s) {
    constexpr int64_t k_ladder[] = {60, 300, 900, 3600, 21600, 86400, 604800};
    for (int64_t w : k_ladder) {
        if (w > width_s && w % width_s == 0) return w;
    }
    return width_s * 2;
}

Aggregator::Aggregator(AggregateOptions options)
    : m_state(std::make_unique<State>(std::move(options))) {}
Aggregator::Aggregator(Aggregator&&) noexcept = default;
Aggregator& Aggregator::operator=(Aggregator&&) noexcept = default;
Aggregator::~Aggregator() = default;

void Aggregator::add(const ErrorLine& line) {
    State& s = *m_state;
    LogSummary& t = s.totals;
    ++t.lines;
    if (line.anomaly != LineAnomaly::none) {
        ++t.anomalies[static_cast<std::size_t>(line.anomaly)];
        return;
    }
    ++t.entries;
    const auto& o = s.options;
    if ((!o.client.empty() && line.client != o.client) || (o.since_s && line.time_s < *o.since_s) ||
        (o.until_s && line.time_s >= *o.until_s)) {
        ++t.filtered_out;
        return;
    }
    ++t.levels[static_cast<std::size_t>(line.level)];
    ++t.classes[index(line.failure_class)];
    t.first_s = std::min(t.first_s.value_or(line.time_s), line.time_s);
    t.last_s = std::max(t.last_s.value_or(line.time_s), line.time_s);
    if (line.failure_class == FailureClass::other) return;
    s.add_reason(line.failure_class, line.reason);
    if (!is_handshake_failure(line.failure_class)) return;
    ++t.handshake_failures;
    s.clients.add(line.client.empty() ? std::string_view("(unknown)") : line.client.substr(0, 80),
                  line.failure_class, line.time_s);
    s.add_bucket(line.failure_class, line.time_s);
}

void Aggregator::add_input(InputRow input) {
    m_state->totals.inputs.push_back(std::move(input));
}

LogSummary Aggregator::summary() const {
    const State& s = *m_state;
    LogSummary out = s.totals;
    for (std::size_t i = 0; i < k_class_count; ++i) {
        if (out.classes[i] == 0) continue;
        ClassRow row;
        row.failure_class = static_cast<FailureClass>(i);
        row.count = out.classes[i];
        for (const auto& [reason, count] : s.reasons[i].counts)
            row.reasons.push_back({reason, count});
        if (s.reasons[i].overflow > 0) row.reasons.push_back({"(other)", s.reasons[i].overflow});
        std::stable_sort(
            row.reasons.begin(), row.reasons.end(),
            [](const ReasonCount& a, const ReasonCount& b) { return a.count > b.count; });
        out.class_rows.push_back(std::move(row));
    }
    std::stable_sort(out.class_rows.begin(), out.class_rows.end(),
                     [](const ClassRow& a, const ClassRow& b) {
                         // Handshake failures first, `other` last, then by count.
                         auto rank = [](FailureClass c) {
                             return is_handshake_failure(c) ? 0 : c == FailureClass::other ? 2 : 1;
                         };
                         if (rank(a.failure_class) != rank(b.failure_class))
                             return rank(a.failure_class) < rank(b.failure_class);
                         return a.count > b.count;
                     });
    out.clients = s.clients.rows();
    out.clients_distinct = s.clients.distinct_clients();
    out.clients_exact = !s.clients.overflowed();
    out.bucket_s = s.bucket_s;
    for (const auto& [start, row] : s.buckets) {
        BucketRow b = row;
        b.start_s = start;
        out.buckets.push_back(b);
    }
    return out;
}

}  // namespace sniprobe::logs
