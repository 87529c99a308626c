// libFuzzer target for the HTTP Host extractor: arbitrary bytes give a named anomaly,
// the host is set only on success, and a prefix of a parsed request never parses
// to a different host.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "wire/http_request.hpp"

using namespace sniprobe::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> input(data, size);
    const HttpRequest r = parse_http_host(input);
    (void)http_anomaly_name(r.anomaly);
    if (r.anomaly != HttpAnomaly::none && !r.host.empty()) std::abort();
    if (r.anomaly == HttpAnomaly::none && size > 0) {
        const HttpRequest shorter = parse_http_host(input.first(size - 1));
        if (shorter.anomaly == HttpAnomaly::none && shorter.host != r.host) std::abort();
    }
    return 0;
}
