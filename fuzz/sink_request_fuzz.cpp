// libFuzzer target: the sink's request parser and its answers, fed arbitrary bytes as
// a peer on the query port would send them. Any input must end as complete, incomplete
// or bad — never a crash, a hang or a read out of bounds — and answering a parsed
// request without the token must never disclose a record.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sink/connection_table.hpp"
#include "sink/http_request.hpp"
#include "sink/records_json.hpp"
#include "sink/service.hpp"
#include "wire/packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sniprobe::sink;
    static ConnectionTable table = [] {
        ConnectionTable t(4, {443});
        sniprobe::wire::TcpPacket syn;
        syn.src[0] = 10;
        syn.dst[0] = 10;
        syn.src_port = 40000;
        syn.dst_port = 443;
        syn.flags = 0x02;
        t.observe(syn, 1.0);
        return t;
    }();
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    RequestParse parsed = parse_request(bytes);
    if (parsed.state == RequestState::complete) {
        HttpResponse r =
            answer_request(*parsed.request, "192.0.2.1", table, "fuzz-token-0123456789", 2.0);
        if (r.status == 200 && parsed.request->path == "/v1/connections" &&
            !token_matches(parsed.request->bearer_token.value_or(""), "fuzz-token-0123456789"))
            __builtin_trap();  // data without the token
        (void)frame_response(r);
    }
    // The same bytes as a sink's answer, for the diagnose side's decoder.
    (void)decode_records(bytes);
    return 0;
}
