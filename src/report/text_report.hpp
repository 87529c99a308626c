// The terminal report: the verdict in one sentence first (what a user reads before
// scrolling away), then the variant table with ok/trials, rate and 95% interval and
// failure counts, the evidence and the advice, then notes and anomalies. Colour is the
// caller's decision (a TTY and NO_COLOR unset); without it the text is plain ASCII
// apart from what the network sent (names, titles).
#pragma once

#include <iosfwd>
#include <string>

#include "model/diagnosis.hpp"

namespace sniprobe {

// Whether to emit ANSI colour codes.
enum class Colour { off, on };
// How much of the packet evidence to print.
enum class Detail {
    summary,  // RSTs summarised by origin and signature
    full,     // every RST finding with its reasons
};

struct TextOptions {
    Colour colour = Colour::off;
    Detail detail = Detail::summary;
};

// Writes the human-readable report of a diagnosis.
void write_text(std::ostream& out, const Diagnosis& d, const TextOptions& options = {});

// Text from the network made safe for a terminal: control characters (ESC above all)
// become '?', so a hostile name cannot inject escape sequences.
std::string printable_text(const std::string& s);

// The first line write_text prints: "<cause>[/<subcode>] (<confidence>%): <summary>".
std::string verdict_line(const Verdict& v);

}  // namespace sniprobe
