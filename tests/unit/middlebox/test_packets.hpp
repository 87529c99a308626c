// Helpers for the middlebox unit tests: real ClientHello fixtures and hand-built
// IPv4/TCP segments of one client->server flow (client 10.0.0.2:40000, server
// 10.0.0.9:443, client ISN 1000, server ISN 5000), fed to the Engine as NFQUEUE would.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "middlebox/engine.hpp"
#include "model/packet.hpp"
#include "wire/packet_builder.hpp"

namespace sniprobe::middlebox::testing {

inline constexpr std::array<uint8_t, 4> k_client{10, 0, 0, 2};
inline constexpr std::array<uint8_t, 4> k_server{10, 0, 0, 9};
inline constexpr uint16_t k_client_port = 40000;
inline constexpr uint32_t k_client_isn = 1000;
inline constexpr uint32_t k_server_isn = 5000;

inline std::vector<uint8_t> fixture(const std::string& name) {
    std::ifstream in(std::string(SNIPROBE_TEST_DATA) + "/client_hello/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The openssl_sni.bin hello with its SNI "blocked.test" replaced by a same-length name.
inline std::vector<uint8_t> hello_for(const std::string& twelve_char_name) {
    std::vector<uint8_t> hello = fixture("openssl_sni.bin");
    const std::string needle = "blocked.test";
    auto it = std::search(hello.begin(), hello.end(), needle.begin(), needle.end());
    if (it != hello.end()) std::copy(twelve_char_name.begin(), twelve_char_name.end(), it);
    return hello;
}

struct Seg {
    bool from_client = true;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = tcp_flag::ack;
    std::vector<uint8_t> payload;
    uint16_t ip_id = 77;
    uint16_t client_port = k_client_port;
    uint16_t server_port = 443;
};

inline std::vector<uint8_t> build(const Seg& s) {
    wire::TcpSpec spec;
    const auto& src = s.from_client ? k_client : k_server;
    const auto& dst = s.from_client ? k_server : k_client;
    std::copy(src.begin(), src.end(), spec.src.begin());
    std::copy(dst.begin(), dst.end(), spec.dst.begin());
    spec.src_port = s.from_client ? s.client_port : s.server_port;
    spec.dst_port = s.from_client ? s.server_port : s.client_port;
    spec.seq = s.seq;
    spec.ack = s.ack;
    spec.flags = s.flags;
    spec.window = 64240;
    spec.ttl = 64;
    spec.ip_id = s.ip_id;
    spec.df = true;
    spec.payload = s.payload;
    return wire::build_tcp_ipv4(spec);
}

// One segment of the test flow, as raw IPv4 bytes.
inline std::vector<uint8_t> pkt(bool from_client, uint32_t seq, uint32_t ack, uint8_t flags,
                                std::vector<uint8_t> payload = {}, uint16_t ip_id = 77,
                                uint16_t client_port = k_client_port, uint16_t server_port = 443) {
    Seg s;
    s.from_client = from_client;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.payload = std::move(payload);
    s.ip_id = ip_id;
    s.client_port = client_port;
    s.server_port = server_port;
    return build(s);
}

// SYN, SYN-ACK and the client's ACK of one connection; returns the decisions.
inline void handshake(Engine& engine, uint64_t now_ms, uint16_t client_port = k_client_port,
                      uint16_t server_port = 443) {
    engine.handle(pkt(true, k_client_isn, 0, tcp_flag::syn, {}, 1, client_port, server_port),
                  now_ms);
    engine.handle(pkt(false, k_server_isn, k_client_isn + 1, tcp_flag::syn | tcp_flag::ack, {}, 0,
                      client_port, server_port),
                  now_ms);
    engine.handle(pkt(true, k_client_isn + 1, k_server_isn + 1, tcp_flag::ack, {}, 2, client_port,
                      server_port),
                  now_ms);
}

// The client's first data segment (seq = ISN + 1, acking the SYN-ACK).
inline Decision send_data(Engine& engine, const std::vector<uint8_t>& payload, uint64_t now_ms,
                          uint16_t client_port = k_client_port, uint16_t server_port = 443,
                          uint32_t offset = 0) {
    return engine.handle(
        pkt(true, k_client_isn + 1 + offset, k_server_isn + 1, tcp_flag::psh | tcp_flag::ack,
            payload, 1234, client_port, server_port),
        now_ms);
}

inline Rules rules_from(const std::string& toml) {
    auto r = parse_rules(toml, "test.toml");
    return r ? *r : Rules{};
}

}  // namespace sniprobe::middlebox::testing
