// Test helpers for the ClientHello tests: load the captured fixtures of
// tests/data/client_hello/ and re-frame a hello across TLS records the way a prober
// (or an evasive client) does, so tests can check record reassembly on real bytes.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace sniprobe::wire::test {

// Bytes of tests/data/client_hello/<name>; throws when missing (a test setup error).
inline std::vector<uint8_t> load_hello(const std::string& name) {
    const std::string path = std::string(SNIPROBE_TEST_DATA) + "/client_hello/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("missing fixture " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The handshake message carried by a stream of records (record headers dropped).
inline std::vector<uint8_t> handshake_of(const std::vector<uint8_t>& records) {
    std::vector<uint8_t> message;
    for (size_t pos = 0; pos + 5 <= records.size();) {
        const size_t len = static_cast<size_t>((records[pos + 3] << 8) | records[pos + 4]);
        const auto begin = records.begin() + static_cast<long>(pos + 5);
        message.insert(message.end(), begin, begin + static_cast<long>(len));
        pos += 5 + len;
    }
    return message;
}

// Wraps `message` in TLS handshake records cut at the given message offsets.
inline std::vector<uint8_t> frame_records(const std::vector<uint8_t>& message,
                                          std::vector<size_t> cuts,
                                          uint16_t record_version = 0x0301) {
    cuts.push_back(message.size());
    std::vector<uint8_t> stream;
    size_t start = 0;
    for (size_t cut : cuts) {
        const size_t len = cut - start;
        stream.push_back(0x16);
        stream.push_back(static_cast<uint8_t>(record_version >> 8));
        stream.push_back(static_cast<uint8_t>(record_version));
        stream.push_back(static_cast<uint8_t>(len >> 8));
        stream.push_back(static_cast<uint8_t>(len));
        stream.insert(stream.end(), message.begin() + static_cast<long>(start),
                      message.begin() + static_cast<long>(cut));
        start = cut;
    }
    return stream;
}

// Offsets (in a single-record stream) of each extension's 4-byte header, in order.
inline std::vector<size_t> extension_offsets(const std::vector<uint8_t>& s) {
    auto u16 = [&](size_t at) { return static_cast<size_t>((s[at] << 8) | s[at + 1]); };
    size_t p = 5 + 4 + 2 + 32;
    p += 1 + s[p];    // session id
    p += 2 + u16(p);  // cipher suites
    p += 1 + s[p];    // compression methods
    const size_t end = p + 2 + u16(p);
    p += 2;
    std::vector<size_t> offsets;
    while (p < end) {
        offsets.push_back(p);
        p += 4 + u16(p + 2);
    }
    return offsets;
}

// Offset of the extensions block's u16 length in a single-record stream.
inline size_t extensions_length_offset(const std::vector<uint8_t>& s) {
    size_t p = 5 + 4 + 2 + 32;
    p += 1 + s[p];
    p += 2 + static_cast<size_t>((s[p] << 8) | s[p + 1]);
    p += 1 + s[p];
    return p;
}

}  // namespace sniprobe::wire::test
