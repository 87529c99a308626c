// Fuzzes the scan's shortcut past parse_target: any text is_plain_host_name() accepts must
// come back from parse_target() unchanged as host and SNI, with the default port (the
// scan takes such a line as it is); and parse_target never crashes on any text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "resolve/target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const bool plain = sniprobe::is_plain_host_name(text);
    auto parsed = sniprobe::parse_target(text, 443);
    if (plain && (!parsed || parsed->host != text || parsed->sni != text || parsed->port != 443))
        __builtin_trap();
    return 0;
}
