// ClientTable (Space-Saving over a min-heap: O(log capacity) per failure, no scans) and the
// HyperLogLog behind DistinctCounter. The hash is FNV-1a with a 64-bit finaliser, fixed
// here so estimates do not change with the standard library.
#include "logs/client_table.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "util/fnv1a.hpp"

namespace sniprobe::logs {
namespace {

uint64_t hash64(std::string_view key) {
    uint64_t h = fnv1a64(key);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

}  // namespace

void DistinctCounter::add(std::string_view key) {
    const uint64_t h = hash64(key);
    const std::size_t bucket = static_cast<std::size_t>(h >> 52);  // top 12 bits
    const uint64_t rest = (h << 12) | (uint64_t{1} << 11);         // guard bit bounds the rank
    const auto rank = static_cast<uint8_t>(std::countl_zero(rest) + 1);
    m_registers[bucket] = std::max(m_registers[bucket], rank);
}

uint64_t DistinctCounter::estimate() const {
    constexpr double m = 4096.0;
    double sum = 0;
    std::size_t zeros = 0;
    for (uint8_t r : m_registers) {
        sum += std::ldexp(1.0, -static_cast<int>(r));
        if (r == 0) ++zeros;
    }
    const double alpha = 0.7213 / (1.0 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros > 0)
        e = m * std::log(m / static_cast<double>(zeros));  // linear counting
    return static_cast<uint64_t>(std::llround(e));
}

ClientTable::ClientTable(std::size_t capacity) : m_capacity(std::max<std::size_t>(capacity, 1)) {
    m_entries.reserve(m_capacity);
    m_heap.reserve(m_capacity);
    m_heap_pos.reserve(m_capacity);
    m_index.reserve(m_capacity);
}

void ClientTable::swap_heap(std::size_t a, std::size_t b) {
    std::swap(m_heap[a], m_heap[b]);
    m_heap_pos[m_heap[a]] = static_cast<uint32_t>(a);
    m_heap_pos[m_heap[b]] = static_cast<uint32_t>(b);
}

void ClientTable::sift_down(std::size_t pos) {
    for (;;) {
        std::size_t smallest = pos;
        for (std::size_t child : {2 * pos + 1, 2 * pos + 2}) {
            if (child < m_heap.size() &&
                m_entries[m_heap[child]].failures < m_entries[m_heap[smallest]].failures) {
                smallest = child;
            }
        }
        if (smallest == pos) return;
        swap_heap(pos, smallest);
        pos = smallest;
    }
}

void ClientTable::add(std::string_view address, FailureClass cls, int64_t time_s) {
    m_distinct.add(address);
    if (auto it = m_index.find(address); it != m_index.end()) {
        ClientCounts& e = m_entries[it->second];
        ++e.failures;
        ++e.classes[index(cls)];
        e.first_s = std::min(e.first_s, time_s);
        e.last_s = std::max(e.last_s, time_s);
        sift_down(m_heap_pos[it->second]);
        return;
    }
    if (m_entries.size() < m_capacity) {
        const auto entry = static_cast<uint32_t>(m_entries.size());
        ClientCounts e;
        e.address = std::string(address);
        e.failures = 1;
        e.classes[index(cls)] = 1;
        e.first_s = e.last_s = time_s;
        m_entries.push_back(std::move(e));
        m_index.emplace(m_entries.back().address, entry);
        // A new entry has count 1, the minimum possible: appending keeps the heap valid
        // only if it bubbles up past larger parents.
        m_heap.push_back(entry);
        m_heap_pos.push_back(static_cast<uint32_t>(m_heap.size() - 1));
        for (std::size_t pos = m_heap.size() - 1; pos > 0;) {
            std::size_t parent = (pos - 1) / 2;
            if (m_entries[m_heap[parent]].failures <= m_entries[m_heap[pos]].failures) break;
            swap_heap(pos, parent);
            pos = parent;
        }
        return;
    }
    // Replace the client with the fewest failures (the heap's root).
    m_overflowed = true;
    const uint32_t entry = m_heap[0];
    ClientCounts& e = m_entries[entry];
    m_index.erase(e.address);
    e.overcount = e.failures;
    e.failures += 1;
    e.address = std::string(address);
    e.classes = {};
    e.classes[index(cls)] = 1;
    e.first_s = e.last_s = time_s;
    m_index.emplace(e.address, entry);
    sift_down(0);
}

uint64_t ClientTable::distinct_clients() const {
    if (!m_overflowed) return m_entries.size();
    return std::max<uint64_t>(m_distinct.estimate(), m_entries.size());
}

std::vector<ClientCounts> ClientTable::rows() const {
    std::vector<ClientCounts> out = m_entries;
    std::sort(out.begin(), out.end(), [](const ClientCounts& a, const ClientCounts& b) {
        if (a.failures != b.failures) return a.failures > b.failures;
        return a.address < b.address;
    });
    return out;
}

}  // namespace sniprobe::logs
