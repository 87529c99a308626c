// The HTML report: one self-contained page (inline CSS and SVG, no script, no fetch; a
// Content-Security-Policy of default-src 'none' enforces it) that can travel as a ticket
// attachment. It renders the same Diagnosis as the text and JSON reports and judges
// nothing itself: the verdict sentence and confidence, the variant table with each 95%
// interval drawn as a bar, the evidence with each id explained, the advice, a packet
// ladder for one representative trial per variant (with the server's view beside it
// when a sink reported), the trace as a hop list, certificate and HTTP facts, notes.
// Every string is escaped: names, certificate subjects and page titles come from the
// network and must stay text. Laid out to print on A4.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "model/diagnosis.hpp"
#include "util/result.hpp"

namespace sniprobe {

// Writes the whole HTML document of a diagnosis.
void write_html(std::ostream& out, const Diagnosis& d);

// Writes the document to a file (replacing it); the error says which file and why.
// The one entry point for every command with an --html option.
Result<void> write_html_file(const std::string& path, const Diagnosis& d);

// Text made safe for HTML element content and quoted attribute values: & < > " ' become
// entities, control characters other than tab and newline become U+FFFD.
std::string html_escape(std::string_view text);

}  // namespace sniprobe
