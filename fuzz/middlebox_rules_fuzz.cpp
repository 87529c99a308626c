// Fuzzes the middlebox rules parser (middlebox/rules.hpp): any bytes give a Rules or
// an Error naming file:line:field, never a crash, a hang or an uncaught exception.
// Parsed rules are also checked against the invariants the engine relies on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "middlebox/rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto rules = sniprobe::middlebox::parse_rules(text, "fuzz.toml");
    if (!rules) {
        if (rules.error().message.rfind("fuzz.toml:", 0) != 0)
            std::abort();  // always names the file
        return 0;
    }
    for (const auto& r : rules->rules) {
        if (r.name.empty() || r.pattern.empty()) std::abort();
        if (r.probability < 0.0 || r.probability > 1.0) std::abort();
        if (r.fingerprint.count < 1 || r.fingerprint.seq_spread.empty()) std::abort();
        if ((r.action == sniprobe::middlebox::Action::drop_all) !=
            (r.match == sniprobe::middlebox::MatchKind::dst_ip))
            std::abort();
        (void)sniprobe::middlebox::host_matches(r, "blocked.test");
    }
    return 0;
}
