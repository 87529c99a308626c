// libFuzzer target for the nginx error-line parser: arbitrary bytes give a named anomaly
// or an entry whose every field is a view inside the input; an anomaly never carries a
// class; and the lines, aggregated, render to JSON that parses (invalid UTF-8 replaced).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>

#include "logs/aggregate.hpp"
#include "logs/error_line.hpp"
#include "logs/render.hpp"

using namespace sniprobe::logs;

namespace {

bool inside(std::string_view field, std::string_view line) {
    return field.empty() || (field.data() >= line.data() &&
                             field.data() + field.size() <= line.data() + line.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    AggregateOptions options;
    options.max_clients = 4;
    options.max_buckets = 3;
    options.max_reasons = 2;
    Aggregator aggregator(options);
    for (std::size_t start = 0; start <= input.size();) {
        std::size_t end = input.find('\n', start);
        if (end == std::string_view::npos) end = input.size();
        const std::string_view line = input.substr(start, end - start);
        const ErrorLine l = parse_error_line(line);
        (void)anomaly_name(l.anomaly);
        if (l.anomaly != LineAnomaly::none && l.failure_class != FailureClass::other) std::abort();
        for (auto field : {l.message, l.client, l.server, l.request, l.host, l.upstream}) {
            if (!inside(field, line)) std::abort();
        }
        if (!l.reason.empty() && !inside(l.reason, line) && l.reason != "plain HTTP request" &&
            l.reason != "timed out" && l.reason != "peer closed connection" &&
            l.reason != "client closed connection" && l.reason != "handshake rejected") {
            std::abort();
        }
        if (l.anomaly == LineAnomaly::none) {
            (void)level_name(l.level);
            (void)format_time(l.time_s);
        }
        aggregator.add(l);
        start = end + 1;
    }
    (void)parse_time(input);
    std::ostringstream out;
    const LogSummary summary = aggregator.summary();
    write_json(out, summary, 3);
    if (nlohmann::json::parse(out.str(), nullptr, false).is_discarded()) std::abort();
    std::ostringstream text;
    write_text(text, summary);
    return 0;
}
