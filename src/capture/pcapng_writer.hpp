// Writes captured frames as a pcapng file (`--pcap FILE`), readable by Wireshark and
// tshark. libpcap 1.10 can read pcapng but writes only classic pcap (pcap_dump; the
// maintainers confirm there is no pcapng writer: the-tcpdump-group/libpcap#1304,
// #1321), so this is a minimal writer of the three blocks a reader needs.
#pragma once

#include <string>
#include <vector>

#include "capture/capture_session.hpp"
#include "util/result.hpp"

namespace sniprobe::capture {

// Writes `packets` to `path` (replacing it): one Section Header Block, one Interface
// Description Block per link type, one Enhanced Packet Block per frame.
Result<void> write_pcapng(const std::string& path, const std::vector<CapturedPacket>& packets);

// The same file as bytes (for tests and for writing to a stream).
std::vector<uint8_t> encode_pcapng(const std::vector<CapturedPacket>& packets);

}  // namespace sniprobe::capture
