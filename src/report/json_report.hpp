// The JSON contract (DESIGN.md §5, documented field by field in docs/json.md): the whole
// diagnosis, versioned with schema_version. Field names follow OONI's where one exists
// (failure, t0, t, server_name, tls_version, cipher_suite) and an absent value is null,
// never "" or 0, so "no failure" and "failure unknown" cannot be confused.
#pragma once

#include <iosfwd>
#include <string>

#include "model/diagnosis.hpp"
#include "model/offline.hpp"
#include "util/result.hpp"

namespace sniprobe {

// Layout of the JSON text.
enum class JsonStyle {
    pretty,  // indented, for people and files
    line,    // one line, for JSON Lines (scan)
};

// Writes the diagnosis as one JSON document (pretty: ends with a newline).
void write_json(std::ostream& out, const Diagnosis& d, JsonStyle style = JsonStyle::pretty);

// Writes what `sniprobe trace --json` prints: schema_version, the target (as in the
// diagnosis), the address traced and the trace, whose object is the diagnosis's `trace`.
void write_trace_json(std::ostream& out, const Target& target, const std::string& address,
                      const TraceResult& trace);

// Writes what `sniprobe analyze --json` prints: the capture (files, side, anomalies), every
// followed flow with its frame numbers, and each name's whole diagnosis as write_json
// writes it (docs/json.md, "analyze").
void write_capture_json(std::ostream& out, const CaptureAnalysis& capture);

// Reads a document written by write_json back (saved runs, re-rendering, tests).
// Unknown fields are ignored; a wrong type or a newer schema_version is an error.
Result<Diagnosis> read_json(std::istream& in);

}  // namespace sniprobe
