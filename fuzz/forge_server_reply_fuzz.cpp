// Fuzzes the server-reply parser with arbitrary server bytes: it must never read out of
// bounds, must say "incomplete" only while no complete first record is present, and must
// classify every prefix of an input without contradicting the whole: a complete answer
// for a prefix stays the same answer when more bytes follow.
#include <cstddef>
#include <cstdint>
#include <span>

#include "forge/server_reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sniprobe::forge;
    std::span<const uint8_t> input(data, size);
    ServerReply whole = parse_server_reply(input);
    if (whole.kind != ReplyKind::anomaly && whole.anomaly != ReplyAnomaly::none) __builtin_trap();
    if (whole.kind == ReplyKind::anomaly && whole.anomaly == ReplyAnomaly::none) __builtin_trap();
    if ((whole.kind == ReplyKind::server_hello || whole.kind == ReplyKind::hello_retry_request ||
         whole.kind == ReplyKind::alert) &&
        (whole.record_bytes < 5 || whole.record_bytes > size))
        __builtin_trap();
    if (whole.record_bytes > 0) {
        ServerReply first = parse_server_reply(input.first(whole.record_bytes));
        if (first.kind != whole.kind || first.anomaly != whole.anomaly) __builtin_trap();
    }
    return 0;
}
