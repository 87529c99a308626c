// The two views of a LogSummary, both written to a std::ostream (bpftrace's pattern): a
// terminal report that starts with one sentence a user can act on, and JSON (schema in
// docs/logs-json.md). Log text is untrusted: control bytes are escaped before they reach
// a terminal, and invalid UTF-8 is replaced in JSON rather than failing the dump.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>

#include "logs/aggregate.hpp"

namespace sniprobe::logs {

// How much of the tables the terminal view prints.
struct TextOptions {
    std::size_t top_clients = 20;      // client rows
    std::size_t max_bucket_rows = 48;  // time rows (buckets are merged to fit)
};

// The headline: "N handshake failures from M clients; most: reset mid-handshake (...)".
std::string headline(const LogSummary& summary);

// The terminal report.
void write_text(std::ostream& out, const LogSummary& summary, const TextOptions& options = {});

// The JSON document (schema_version 1), clients cut to `top_clients` rows.
void write_json(std::ostream& out, const LogSummary& summary, std::size_t top_clients);

// `text` with control bytes and non-ASCII shown as \xNN (for terminals).
std::string printable(std::string_view text);

}  // namespace sniprobe::logs
