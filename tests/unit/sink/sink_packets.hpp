// Test helpers for the sink tests: hand-built decoded TCP packets between a client and
// the server's port 443, and the captured ClientHello fixtures of tests/data.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/packet.hpp"
#include "wire/packet.hpp"

namespace sniprobe::sink::test {

inline std::vector<uint8_t> load_hello(const std::string& name) {
    const std::string path = std::string(SNIPROBE_TEST_DATA) + "/client_hello/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("missing fixture " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A packet from client 10.77.1.2:cport to server 10.77.3.2:443 (inbound = to the server).
inline wire::TcpPacket packet(bool to_server, uint16_t cport, uint8_t flags, uint32_t seq,
                              uint8_t ttl = 62, uint16_t ip_id = 1,
                              const std::vector<uint8_t>* payload = nullptr) {
    wire::TcpPacket p;
    const uint8_t client[4] = {10, 77, 1, 2}, server[4] = {10, 77, 3, 2};
    for (int i = 0; i < 4; ++i) {
        p.src[i] = to_server ? client[i] : server[i];
        p.dst[i] = to_server ? server[i] : client[i];
    }
    p.src_port = to_server ? cport : 443;
    p.dst_port = to_server ? 443 : cport;
    p.flags = flags;
    p.seq = seq;
    p.ttl = ttl;
    p.ip_id = ip_id;
    if (payload) {
        p.payload = std::span<const uint8_t>(payload->data(), payload->size());
        p.wire_payload_len = payload->size();
    }
    return p;
}

}  // namespace sniprobe::sink::test
