// Fuzzes hello shaping with arbitrary "ClientHello" bytes: a TCP split must lose no byte,
// a record split must add exactly one record header, and nothing may read out of bounds.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "probe/hello_shaping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> input(data, size);
    using sniprobe::HelloShape;
    auto tcp = sniprobe::shape_client_hello(input, HelloShape::split_tcp);
    size_t total = 0;
    for (const auto& w : tcp.writes) total += w.size();
    if (total != size) __builtin_trap();
    auto record = sniprobe::shape_client_hello(input, HelloShape::split_record);
    size_t record_total = 0;
    for (const auto& w : record.writes) record_total += w.size();
    if (record_total != size && record_total != size + 5) __builtin_trap();
    return 0;
}
