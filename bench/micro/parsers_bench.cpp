// Micro-benchmarks of the parsers every captured or queued packet goes through: the
// ClientHello parser (full parse and the quick SNI scan the middlebox uses), the IP/TCP
// decoder, and the whole capture path for one frame (link header, IP/TCP, hello). Inputs
// are the real ClientHellos captured in tests/data/client_hello/ (curl and openssl), so
// the figures reflect the extensions real clients send. Run:
//   build/bench/bench/sniprobe_micro_bench [--benchmark_filter=Hello]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture/link_frame.hpp"
#include "wire/client_hello.hpp"
#include "wire/packet.hpp"
#include "wire/packet_builder.hpp"

namespace {

using namespace sniprobe;

std::vector<uint8_t> load_hello(const std::string& name) {
    const std::string path = std::string(SNIPROBE_TEST_DATA) + "/client_hello/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("missing " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::vector<std::string> k_fixtures = {"curl_h2.bin", "openssl_sni.bin",
                                             "openssl_two_records.bin"};

// An Ethernet frame carrying the hello as the payload of an IPv4/TCP segment to port 443.
std::vector<uint8_t> ethernet_frame(const std::vector<uint8_t>& hello) {
    wire::TcpSpec spec;
    spec.src = {10, 0, 0, 1};
    spec.dst = {10, 0, 0, 2};
    spec.src_port = 40000;
    spec.dst_port = 443;
    spec.seq = 1000;
    spec.flags = 0x18;  // PSH+ACK
    spec.window = 64240;
    spec.payload = hello;
    std::vector<uint8_t> frame(12, 0x02);  // destination and source MAC
    frame.push_back(0x08);                 // ethertype IPv4
    frame.push_back(0x00);
    auto ip = wire::build_tcp_ipv4(spec);
    frame.insert(frame.end(), ip.begin(), ip.end());
    return frame;
}

void parse_client_hello(benchmark::State& state) {
    const auto bytes = load_hello(k_fixtures.at(static_cast<size_t>(state.range(0))));
    for (auto _ : state) {
        auto parsed = wire::parse_client_hello(bytes);
        benchmark::DoNotOptimize(parsed);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
    state.SetLabel(k_fixtures.at(static_cast<size_t>(state.range(0))));
}
BENCHMARK(parse_client_hello)->DenseRange(0, static_cast<int>(k_fixtures.size()) - 1);

void quick_sni(benchmark::State& state) {
    const auto bytes = load_hello(k_fixtures.at(static_cast<size_t>(state.range(0))));
    for (auto _ : state) {
        auto name = wire::quick_sni(bytes);
        benchmark::DoNotOptimize(name);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
    state.SetLabel(k_fixtures.at(static_cast<size_t>(state.range(0))));
}
BENCHMARK(quick_sni)->DenseRange(0, static_cast<int>(k_fixtures.size()) - 1);

void decode_tcp_packet(benchmark::State& state) {
    const auto frame = ethernet_frame(load_hello("curl_h2.bin"));
    const std::span<const uint8_t> ip(frame.data() + 14, frame.size() - 14);
    for (auto _ : state) {
        auto parsed = wire::decode_tcp_packet(ip);
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK(decode_tcp_packet);

// What capture does with each frame that carries a hello: strip the link header,
// decode IP/TCP, parse the payload.
void capture_frame_to_hello(benchmark::State& state) {
    const auto frame = ethernet_frame(load_hello("curl_h2.bin"));
    for (auto _ : state) {
        auto link = capture::decode_link_frame(capture::link_type::ethernet, frame);
        auto packet = wire::decode_tcp_packet(link.ip_packet);
        if (!packet.packet) {
            state.SkipWithError("the frame did not decode");
            break;
        }
        auto hello = wire::parse_client_hello(packet.packet->payload);
        benchmark::DoNotOptimize(hello);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * frame.size()));
}
BENCHMARK(capture_frame_to_hello);

}  // namespace
