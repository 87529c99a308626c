// The wire format of the sink's answer (`GET /v1/connections`): a JSON object with the
// sink's clock and an array of connection records. Encoded by the sink, decoded by
// `diagnose --sink`. The decoder reads bytes from the network: a malformed document or
// a field of the wrong type is an Error, never an exception or a crash.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sink/connection_table.hpp"
#include "util/result.hpp"

namespace sniprobe::sink {

// The JSON document for these records; now_unix is the sink's clock when answering.
std::string encode_records(const std::vector<const ConnectionRecord*>& records, double now_unix);

// What a sink answered.
struct RecordsDocument {
    double sink_now_unix = 0;
    std::vector<ConnectionRecord> records;
};

// Parses a sink's answer.
Result<RecordsDocument> decode_records(std::string_view body);

}  // namespace sniprobe::sink
