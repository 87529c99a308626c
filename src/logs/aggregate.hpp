// Folds parsed error-log lines into a LogSummary in constant memory: fixed per-class and
// per-level counters, a bounded client table (client_table.hpp), a bounded set of reasons
// per class, and time buckets that widen (1 min -> 5 min -> 15 min -> 1 h -> 6 h -> 1 day
// -> 1 week, then doubling) when a log spans more buckets than the limit. Times are the
// log's own wall clock: nginx writes local time without a zone, and so do we.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "logs/client_table.hpp"
#include "logs/error_line.hpp"
#include "logs/failure_class.hpp"

namespace sniprobe::logs {

// What to keep and what to leave out.
struct AggregateOptions {
    std::size_t max_clients = 4096;  // clients tracked (Space-Saving capacity)
    int64_t bucket_s = 60;           // time bucket width asked for (widened when needed)
    std::size_t max_buckets = 2880;  // most buckets kept at once
    std::size_t max_reasons = 32;    // distinct reasons kept per class; the rest are "(other)"
    std::string client;              // only lines from this client (empty = all)
    std::optional<int64_t> since_s;  // only entries at or after this time
    std::optional<int64_t> until_s;  // only entries before this time
};

// How often a class was seen for one reason ("no shared cipher", "Connection reset by peer").
struct ReasonCount {
    std::string reason;
    uint64_t count = 0;
};

// One row of the class table.
struct ClassRow {
    FailureClass failure_class = FailureClass::other;
    uint64_t count = 0;
    std::vector<ReasonCount> reasons;  // most frequent first
};

// Handshake failures in one time bucket.
struct BucketRow {
    int64_t start_s = 0;
    uint64_t failures = 0;
    ClassCounts classes{};
};

// One input as read.
struct InputRow {
    std::string name;
    uint64_t lines = 0;
    bool compressed = false;
    std::optional<std::string> error;  // reading stopped early
};

// Everything the renderers print.
struct LogSummary {
    std::vector<InputRow> inputs;
    uint64_t lines = 0;         // every line read
    uint64_t entries = 0;       // lines that parsed as log entries
    uint64_t filtered_out = 0;  // entries left out by --client/--since/--until
    std::array<uint64_t, k_anomaly_count> anomalies{};
    std::array<uint64_t, k_level_count> levels{};
    ClassCounts classes{};
    std::vector<ClassRow> class_rows;  // classes seen, most frequent first
    uint64_t handshake_failures = 0;
    uint64_t clients_distinct = 0;
    bool clients_exact = true;
    std::vector<ClientCounts> clients;  // most failures first
    int64_t bucket_s = 60;
    std::vector<BucketRow> buckets;  // in time order
    std::optional<int64_t> first_s;  // first and last entry time kept
    std::optional<int64_t> last_s;
};

class Aggregator {
  public:
    explicit Aggregator(AggregateOptions options = {});
    Aggregator(Aggregator&&) noexcept;
    Aggregator& operator=(Aggregator&&) noexcept;
    ~Aggregator();

    // Counts one line (anomalies included).
    void add(const ErrorLine& line);
    // Records an input once it was read to its end (or stopped).
    void add_input(InputRow input);
    // A snapshot of everything so far.
    LogSummary summary() const;

  private:
    struct State;
    std::unique_ptr<State> m_state;
};

// Bucket widths the aggregator widens through, in seconds.
int64_t next_bucket_width(int64_t width_s);

}  // namespace sniprobe::logs
