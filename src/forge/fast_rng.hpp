// The generator behind per-probe random fields (ClientHello random, session id, key-share
// bytes, GREASE picks, extension order). xoshiro256** (Blackman and Vigna, 2018), seeded
// through splitmix64: a few nanoseconds per 8 bytes, no system call and no allocation on
// the hot path. It is not a cryptographic generator, and it does not need to be: the bytes
// only have to differ per probe and look random to a middlebox; no secret rests on them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace sniprobe::forge {

class FastRng {
  public:
    FastRng() : FastRng(0x9e3779b97f4a7c15ull) {}
    explicit FastRng(uint64_t seed) {
        for (auto& word : m_state) word = splitmix(seed);
    }

    // Seeds from the OS (getrandom); falls back to the clock when that fails.
    static FastRng from_os();

    uint64_t next() {
        const uint64_t result = rotl(m_state[1] * 5, 7) * 9;
        const uint64_t t = m_state[1] << 17;
        m_state[2] ^= m_state[0];
        m_state[3] ^= m_state[1];
        m_state[1] ^= m_state[2];
        m_state[0] ^= m_state[3];
        m_state[2] ^= t;
        m_state[3] = rotl(m_state[3], 45);
        return result;
    }

    // A value in [0, bound) (bound > 0; Lemire's multiply-shift, bias below 2^-32).
    uint32_t below(uint32_t bound) {
        return static_cast<uint32_t>(((next() >> 32) * uint64_t{bound}) >> 32);
    }

    void fill(std::span<uint8_t> out) {
        size_t i = 0;
        for (; i + 8 <= out.size(); i += 8) {
            uint64_t v = next();
            std::memcpy(out.data() + i, &v, 8);
        }
        if (i < out.size()) {
            uint64_t v = next();
            std::memcpy(out.data() + i, &v, out.size() - i);
        }
    }

  private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static uint64_t splitmix(uint64_t& x) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    uint64_t m_state[4];
};

}  // namespace sniprobe::forge
