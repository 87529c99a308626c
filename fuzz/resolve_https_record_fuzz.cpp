// libFuzzer target for the HTTPS record parser: arbitrary bytes, read as one RDATA and as a
// whole DNS response, must give records or an error, never a crash; a parsed record keeps
// its promises (keys strictly ascending, AliasMode without parameters, no empty alpn id).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "resolve/https_record.hpp"

namespace {

void check(const sniprobe::HttpsRecord& r) {
    for (size_t i = 1; i < r.keys.size(); ++i)
        if (r.keys[i] <= r.keys[i - 1]) std::abort();
    if (r.alias() && !r.keys.empty()) std::abort();
    for (const auto& id : r.alpn)
        if (id.empty()) std::abort();
    if (r.target.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> input(data, size);
    if (auto rec = sniprobe::parse_https_rdata(input)) check(*rec);
    if (auto recs = sniprobe::https_records_from_response(input))
        for (const auto& r : *recs) check(r);
    return 0;
}
