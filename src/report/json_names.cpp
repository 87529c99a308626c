// Flag letters, hex and names for the JSON contract. Letters keep a packet list readable
// in jq output ("RA" rather than 20); the reader accepts exactly what the writer emits.
#include "report/json_names.hpp"

#include <array>
#include <utility>

namespace sniprobe::json_names {
namespace {

constexpr std::array<std::pair<uint8_t, char>, 8> k_flag_letters{{
    {0x01, 'F'},
    {0x02, 'S'},
    {0x04, 'R'},
    {0x08, 'P'},
    {0x10, 'A'},
    {0x20, 'U'},
    {0x40, 'E'},
    {0x80, 'C'},
}};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string flags_text(uint8_t flags) {
    std::string out;
    for (const auto& [bit, letter] : k_flag_letters)
        if (flags & bit) out += letter;
    return out;
}

std::optional<uint8_t> flags_from_text(const std::string& text) {
    uint8_t flags = 0;
    for (char c : text) {
        bool known = false;
        for (const auto& [bit, letter] : k_flag_letters)
            if (c == letter) {
                flags = static_cast<uint8_t>(flags | bit);
                known = true;
            }
        if (!known) return std::nullopt;
    }
    return flags;
}

std::string hex(const std::vector<uint8_t>& bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        out += k_digits[b >> 4];
        out += k_digits[b & 0x0f];
    }
    return out;
}

std::optional<std::vector<uint8_t>> from_hex(const std::string& text) {
    if (text.size() % 2 != 0) return std::nullopt;
    std::vector<uint8_t> out;
    out.reserve(text.size() / 2);
    for (size_t i = 0; i < text.size(); i += 2) {
        const int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
    return out;
}

const char* direction_name(Direction d) {
    return d == Direction::inbound ? "inbound" : "outbound";
}

}  // namespace sniprobe::json_names
