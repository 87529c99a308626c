// Per-client failure counts in bounded memory: the Space-Saving algorithm (Metwally et al.,
// 2005) keeps `capacity` clients; a new client, when the table is full, replaces the one
// with the fewest failures and inherits its count as a possible overcount. While no client
// was ever replaced every count is exact; after that, every client with more failures than
// the smallest count in the table is guaranteed to be in it, which is what "who is hit the
// most" needs. A second sketch (HyperLogLog, 4 KiB) estimates how many distinct clients
// there were once the table overflowed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "logs/failure_class.hpp"

namespace sniprobe::logs {

// One tracked client.
struct ClientCounts {
    std::string address;
    uint64_t failures = 0;   // may include `overcount` inherited on replacement
    uint64_t overcount = 0;  // 0 while the count is exact
    ClassCounts classes{};   // failures seen since this client entered the table
    int64_t first_s = 0;
    int64_t last_s = 0;
};

// Estimates the number of distinct strings added, in 4 KiB (HyperLogLog, p = 12, ~1.6%).
class DistinctCounter {
  public:
    // Adds one string.
    void add(std::string_view key);
    // The estimate.
    uint64_t estimate() const;

  private:
    std::array<uint8_t, 4096> m_registers{};
};

class ClientTable {
  public:
    // A table that tracks at most `capacity` clients (at least 1).
    explicit ClientTable(std::size_t capacity);

    // Counts one failure of class `cls` for `address` at `time_s`.
    void add(std::string_view address, FailureClass cls, int64_t time_s);
    // How many clients are tracked now.
    std::size_t size() const { return m_entries.size(); }
    // True once a client was replaced: counts may then be overcounts.
    bool overflowed() const { return m_overflowed; }
    // Distinct clients: exact until the table overflowed, estimated after.
    uint64_t distinct_clients() const;
    // The tracked clients, most failures first (ties by address).
    std::vector<ClientCounts> rows() const;

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    void sift_down(std::size_t heap_pos);
    void swap_heap(std::size_t a, std::size_t b);

    std::size_t m_capacity;
    std::vector<ClientCounts> m_entries;
    std::vector<uint32_t> m_heap;      // entry indices, a min-heap on failures
    std::vector<uint32_t> m_heap_pos;  // entry index -> position in m_heap
    std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> m_index;
    DistinctCounter m_distinct;
    bool m_overflowed = false;
};

}  // namespace sniprobe::logs
