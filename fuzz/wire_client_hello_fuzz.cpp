// libFuzzer target for the ClientHello parser: arbitrary bytes must give a named
// anomaly or a hello, never a crash. Also checks the parser's own promises: a parsed
// hello's sni_offset points at its first name inside the input, every prefix of a
// parsed hello is `incomplete`, and quick_sni and quick_extension_types never disagree
// with the full parse (on a prefix, the types are a prefix of the full list).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "wire/client_hello.hpp"

using namespace sniprobe::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> input(data, size);
    const HelloParse parsed = parse_client_hello(input);
    const auto quick = quick_sni(input);
    const auto types = quick_extension_types(input);
    if (parsed.anomaly != HelloAnomaly::none) {
        if (parsed.hello) std::abort();
        (void)hello_anomaly_name(parsed.anomaly);
        return 0;
    }
    if (!parsed.hello) std::abort();
    const ClientHello& h = *parsed.hello;
    if (h.sni_offset) {
        const auto& name = h.server_names.front();
        if (*h.sni_offset >= size || input[*h.sni_offset] != static_cast<uint8_t>(name.front()))
            std::abort();
        if (!quick || *quick != name) std::abort();
    } else if (!h.server_names.empty() || quick) {
        std::abort();
    }
    if (types.size() != h.extensions.size()) std::abort();
    for (size_t i = 0; i < types.size(); ++i)
        if (types[i] != h.extensions[i].type) std::abort();
    // A few prefixes (all would be quadratic): each must ask for more bytes, and see at
    // most the leading extensions.
    for (size_t n : {size_t{0}, h.stream_bytes / 2, h.stream_bytes - 1}) {
        if (n < h.stream_bytes && n <= size &&
            parse_client_hello(input.first(n)).anomaly != HelloAnomaly::incomplete) {
            std::abort();
        }
        if (n <= size) {
            const auto cut = quick_extension_types(input.first(n));
            if (cut.size() > types.size()) std::abort();
            for (size_t i = 0; i < cut.size(); ++i)
                if (cut[i] != types[i]) std::abort();
        }
    }
    return 0;
}
