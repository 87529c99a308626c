// Fuzzes the forge with arbitrary server names and options: whatever the name bytes, the
// hello must parse with our own ClientHello parser, carry exactly that name at the offset
// the forge reports, and fit the template's buffer.
#include <cstddef>
#include <cstdint>
#include <string>

#include "forge/hello_forge.hpp"
#include "wire/client_hello.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sniprobe::forge;
    if (size < 2) return 0;
    ForgeOptions o;
    o.shape = all_shapes()[data[0] % all_shapes().size()];
    o.order = static_cast<ExtensionOrder>((data[0] >> 2) % 3);
    o.sni_placement = static_cast<SniPlacement>((data[0] >> 4) % 3);
    o.ech = static_cast<EchGrease>(data[1] % 3);
    o.seed = data[1];
    o.server_name.assign(reinterpret_cast<const char*>(data + 2), size - 2);
    auto t = HelloTemplate::create(o);
    if (!t) {
        if (o.server_name.size() <= 255) __builtin_trap();
        return 0;
    }
    auto hello = t->forge();
    if (hello.bytes.size() > k_max_hello_bytes) __builtin_trap();
    auto parsed = sniprobe::wire::parse_client_hello(hello.bytes);
    if (parsed.anomaly != sniprobe::wire::HelloAnomaly::none) __builtin_trap();
    if (o.server_name.empty()) {
        if (hello.sni_offset || !parsed.hello->server_names.empty()) __builtin_trap();
        return 0;
    }
    if (!hello.sni_offset || parsed.hello->sni_offset != hello.sni_offset) __builtin_trap();
    if (parsed.hello->sni() != o.server_name) __builtin_trap();
    return 0;
}
