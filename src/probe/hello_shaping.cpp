// Hello shaping: find the split point with wire::parse_client_hello (it reports where the
// first host_name's bytes sit in the stream), then cut the stream (split_tcp) or rewrite
// the first record's header into two (split_record). Lengths come from the parse of our
// own bytes, and every cut is bounds-checked, so odd input degrades to "whole".
#include "probe/hello_shaping.hpp"

#include <algorithm>

#include "wire/client_hello.hpp"

namespace sniprobe {
namespace {

constexpr size_t k_record_header = 5;

// Offset in the stream to cut at: mid-SNI when present, else mid first record.
size_t split_point(std::span<const uint8_t> stream, const wire::ClientHello& hello) {
    if (hello.sni_offset && !hello.sni().empty()) {
        size_t half = std::max<size_t>(1, hello.sni().size() / 2);
        return *hello.sni_offset + half;
    }
    size_t first_record = k_record_header + ((size_t{stream[3]} << 8) | stream[4]);
    return std::min(first_record, stream.size()) / 2 + k_record_header / 2;
}

}  // namespace

ShapedHello shape_client_hello(std::span<const uint8_t> stream, HelloShape shape) {
    ShapedHello out;
    auto whole = [&] {
        out.writes.assign(1, std::vector<uint8_t>(stream.begin(), stream.end()));
        out.split_offset = 0;
        return out;
    };
    if (shape == HelloShape::whole || stream.size() <= k_record_header) return whole();
    auto parsed = wire::parse_client_hello(stream);
    if (parsed.anomaly != wire::HelloAnomaly::none || !parsed.hello) return whole();
    size_t cut = split_point(stream, *parsed.hello);
    size_t first_record_end = k_record_header + ((size_t{stream[3]} << 8) | stream[4]);
    if (cut <= k_record_header || cut >= first_record_end || first_record_end > stream.size())
        return whole();
    out.split_offset = cut;

    if (shape == HelloShape::split_tcp) {
        out.writes.emplace_back(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(cut));
        out.writes.emplace_back(stream.begin() + static_cast<std::ptrdiff_t>(cut), stream.end());
        return out;
    }

    // split_record: [hdr][body0..k) [hdr'][body k..len) + any later records unchanged.
    size_t body_len = first_record_end - k_record_header;
    size_t first_len = cut - k_record_header;
    size_t second_len = body_len - first_len;
    std::vector<uint8_t> bytes;
    bytes.reserve(stream.size() + k_record_header);
    auto header = [&](size_t len) {
        bytes.push_back(stream[0]);
        bytes.push_back(stream[1]);
        bytes.push_back(stream[2]);
        bytes.push_back(static_cast<uint8_t>(len >> 8));
        bytes.push_back(static_cast<uint8_t>(len & 0xff));
    };
    header(first_len);
    bytes.insert(bytes.end(), stream.begin() + k_record_header,
                 stream.begin() + static_cast<std::ptrdiff_t>(cut));
    header(second_len);
    bytes.insert(bytes.end(), stream.begin() + static_cast<std::ptrdiff_t>(cut), stream.end());
    out.writes.push_back(std::move(bytes));
    return out;
}

}  // namespace sniprobe
