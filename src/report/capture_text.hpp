// The terminal report of `sniprobe analyze`: for each server name, the verdict sentence
// first (as diagnose prints it, with its table, evidence and advice), then the name's
// flows with the frame numbers that prove the verdict — a Wireshark user types them into
// "Go to packet" — and each reset's forensics by frame. Then the per-address view, where
// several names to one address show the differential, and the capture's own anomalies.
#pragma once
#include <iosfwd>

#include "model/offline.hpp"
#include "report/text_report.hpp"

namespace sniprobe {

void write_capture_text(std::ostream& out, const CaptureAnalysis& capture,
                        const TextOptions& options = {});

}  // namespace sniprobe
