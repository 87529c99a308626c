// The packet ladder of one trial (Wireshark's "flow graph"), as inline SVG for the HTML
// report. Building and drawing are separate: build_ladder() turns a trial's captured
// packets and the RST forensics of the analysis into arrows between lanes (client, the
// interfering hop, server), and write_ladder_svg() only draws them, so tests count and
// inspect arrows without parsing SVG. An injected RST starts at the hop lane (the router
// the trace located, or "somewhere on the path" when there was no trace) and carries the
// forensic reasons as its hover text; the server's own packets start at the server lane.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "model/diagnosis.hpp"

namespace sniprobe {

// The vertical lines of a ladder.
enum class LadderLane { client, hop, server };

// How an arrow is marked.
enum class ArrowKind {
    plain,          // an ordinary segment
    injected,       // an RST/FIN forensics attributes to the path
    server_close,   // an RST/FIN forensics attributes to the server
    unknown_close,  // an RST/FIN whose origin could not be pinned down
};

// One packet drawn as an arrow.
struct LadderArrow {
    int packet_index = 0;  // index in Trial::packets
    LadderLane from = LadderLane::client;
    LadderLane to = LadderLane::server;
    ArrowKind kind = ArrowKind::plain;
    double t_ms = 0;                   // since the trial started
    std::string flags;                 // "SYN ACK", "RST ACK", ...
    std::string label;                 // flags, payload, TTL, IP ID
    std::vector<std::string> reasons;  // forensics, for the hover text
};

// Everything needed to draw one trial.
struct Ladder {
    int trial_id = 0;
    Variant variant = Variant::sni;
    std::string hop_label;        // the middle lane's caption; empty: no middle lane
    size_t packets_captured = 0;  // the trial's packets (arrows may be fewer: see the cap)
    std::vector<LadderArrow> arrows;
};

// At most this many packets are drawn per trial; the rest are counted in the caption.
inline constexpr size_t k_max_ladder_arrows = 40;

// The arrows of one trial of `d` (at most k_max_ladder_arrows).
Ladder build_ladder(const Diagnosis& d, const Trial& trial);

// One trial per variant that ran, in report order: the first captured trial whose outcome
// is the variant's most common one (the first trial of that outcome when none was captured).
std::vector<const Trial*> representative_trials(const Diagnosis& d);

// Draws the ladder as an <svg> element (class "ladder"; one <g class="arrow ..."> per arrow).
void write_ladder_svg(std::ostream& out, const Ladder& ladder);

// The TCP flags as words in a fixed order ("SYN ACK", "RST", "FIN PSH ACK").
std::string flag_words(uint8_t flags);

}  // namespace sniprobe
