// Fuzzes the http_host response reader: any bytes a server (or a box impersonating it)
// sends must give facts or nothing, never a crash; a title never exceeds its bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probe/http_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto facts = sniprobe::parse_http_response(bytes);
    if (facts.title.size() > 200) __builtin_trap();
    if (facts.status && (*facts.status < 100 || *facts.status > 999)) __builtin_trap();
    return 0;
}
