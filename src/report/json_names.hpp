// Shared by the JSON writer and reader (internal to report/): TCP flags as letters
// ("RA" for RST+ACK, tcpdump's order F S R P A U E C), payload bytes as hex, and the
// stable names of directions (the model's enums are named in model/names.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/analysis.hpp"
#include "model/packet.hpp"

namespace sniprobe::json_names {

// "SA", "RA", "FPA"... from tcp_flag bits.
std::string flags_text(uint8_t flags);
// Inverse of flags_text; nullopt on an unknown letter.
std::optional<uint8_t> flags_from_text(const std::string& text);

// Lower-case hex of the bytes.
std::string hex(const std::vector<uint8_t>& bytes);
// Inverse of hex; nullopt on odd length or a non-hex digit.
std::optional<std::vector<uint8_t>> from_hex(const std::string& text);

// "outbound" | "inbound"
const char* direction_name(Direction d);

}  // namespace sniprobe::json_names
