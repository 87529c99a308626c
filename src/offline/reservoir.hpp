// A uniform sample of a stream of unknown length (Vitter's algorithm R): analyze's
// verdicts read a bounded sample of a name's flows, and a uniform one keeps the rates they
// print those of all the flows (the first N, or the first N of each outcome, would not).
// The seed is fixed, so the same capture gives the same sample.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>

namespace sniprobe::offline {

class Reservoir {
  public:
    // One more item of the stream. `capacity`: the sample's size; `room`: whether a new
    // slot may still be opened (an overall cap shared with other reservoirs; once it is
    // reached this reservoir keeps the size it has and still samples uniformly). Returns
    // the slot the item takes (a new one, size() - 1, or one whose item it replaces), or
    // nothing when the item is left out.
    std::optional<size_t> offer(size_t capacity, bool room) {
        ++m_seen;
        if (m_size < capacity && room) return m_size++;
        const uint64_t k = next() % m_seen;
        if (k < m_size) return static_cast<size_t>(k);
        return std::nullopt;
    }
    uint64_t seen() const { return m_seen; }
    size_t size() const { return m_size; }

  private:
    uint64_t next() {  // splitmix64: 8 bytes of state, one reservoir per name and address
        uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    uint64_t m_seen = 0;
    size_t m_size = 0;
    uint64_t m_state = 0x5eed5eedULL;
};

}  // namespace sniprobe::offline
