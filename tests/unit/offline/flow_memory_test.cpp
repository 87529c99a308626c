// The flow tracker's memory stays bounded whatever the capture holds: a stream keeps only
// its clear-text start (the hello, the server's first flight), not the megabytes of
// application data after it, and all open flows together stay under the budget, the
// quietest finished early when they would not.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "capture/link_frame.hpp"
#include "model/offline.hpp"
#include "model/packet.hpp"
#include "offline/flow_tracker.hpp"
#include "wire/packet_builder.hpp"

namespace sniprobe {
namespace {

void put16(std::vector<uint8_t>& b, size_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}

void put24(std::vector<uint8_t>& b, size_t v) {
    b.push_back(static_cast<uint8_t>(v >> 16));
    put16(b, v);
}

// A record of `type` around one handshake message (or raw bytes when hs_type < 0).
std::vector<uint8_t> record(uint8_t type, int hs_type, const std::vector<uint8_t>& body) {
    std::vector<uint8_t> fragment;
    if (hs_type >= 0) {
        fragment.push_back(static_cast<uint8_t>(hs_type));
        put24(fragment, body.size());
    }
    fragment.insert(fragment.end(), body.begin(), body.end());
    std::vector<uint8_t> r{type, 3, 3};
    put16(r, fragment.size());
    r.insert(r.end(), fragment.begin(), fragment.end());
    return r;
}

std::vector<uint8_t> client_hello(const std::string& name) {
    std::vector<uint8_t> body{3, 3};
    body.insert(body.end(), 32, 0x11);  // random
    body.push_back(0);                  // session id
    put16(body, 2);
    body.insert(body.end(), {0x13, 0x01});
    body.insert(body.end(), {1, 0});  // compression: null
    std::vector<uint8_t> sni;
    put16(sni, name.size() + 3);
    sni.push_back(0);
    put16(sni, name.size());
    sni.insert(sni.end(), name.begin(), name.end());
    std::vector<uint8_t> ext{0, 0};
    put16(ext, sni.size());
    ext.insert(ext.end(), sni.begin(), sni.end());
    put16(body, ext.size());
    body.insert(body.end(), ext.begin(), ext.end());
    return record(22, 1, body);
}

// ServerHello then ChangeCipherSpec, in one segment.
std::vector<uint8_t> server_first_flight() {
    std::vector<uint8_t> body{3, 3};
    body.insert(body.end(), 32, 0x22);
    body.push_back(0);
    body.insert(body.end(), {0x13, 0x01, 0});
    put16(body, 0);
    auto out = record(22, 2, body);
    auto ccs = record(20, -1, {1});
    out.insert(out.end(), ccs.begin(), ccs.end());
    return out;
}

std::vector<uint8_t> encrypted(size_t n) {
    return record(23, -1, std::vector<uint8_t>(n - 5, 0x5a));
}

constexpr size_t k_bulk_segments = 24;
constexpr size_t k_segment = 1400;

// Flows to one server, each a full handshake then server bulk data, none ever closed:
// every one stays open until finish().
class Capture {
  public:
    explicit Capture(offline::FlowTracker& tracker) : m_tracker(tracker) {}

    void handshake(int i) {
        auto c = client(i);
        send(c, 1000, 0, tcp_flag::syn, {});
        send(server(i), 5000, 1001, tcp_flag::syn | tcp_flag::ack, {});
        send(c, 1001, 5001, tcp_flag::ack, {});
        auto hello = client_hello("memory.test");
        send(c, 1001, 5001, tcp_flag::ack | tcp_flag::psh, hello);
        auto flight = server_first_flight();
        send(server(i), 5001, 1001 + static_cast<uint32_t>(hello.size()),
             tcp_flag::ack | tcp_flag::psh, flight);
        auto finished = record(20, -1, {1});
        auto data = encrypted(40);
        finished.insert(finished.end(), data.begin(), data.end());
        send(c, 1001 + static_cast<uint32_t>(hello.size()),
             5001 + static_cast<uint32_t>(flight.size()), tcp_flag::ack | tcp_flag::psh, finished);
        m_server_next[i] = 5001 + static_cast<uint32_t>(flight.size());
    }

    void bulk(int i) {
        for (size_t k = 0; k < k_bulk_segments; ++k) {
            send(server(i), m_server_next[i], 2000, tcp_flag::ack, encrypted(k_segment));
            m_server_next[i] += static_cast<uint32_t>(k_segment);
        }
    }

  private:
    static wire::TcpSpec client(int i) {
        wire::TcpSpec s;
        s.src = {10, 9, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
        s.dst = {192, 0, 2, 1};
        s.src_port = static_cast<uint16_t>(40000 + i);
        s.dst_port = 443;
        return s;
    }
    static wire::TcpSpec server(int i) {
        wire::TcpSpec s = client(i);
        std::swap(s.src, s.dst);
        std::swap(s.src_port, s.dst_port);
        s.ttl = 52;
        return s;
    }
    void send(wire::TcpSpec spec, uint32_t seq, uint32_t ack, uint8_t flags,
              std::vector<uint8_t> payload) {
        spec.seq = seq;
        spec.ack = ack;
        spec.flags = flags;
        spec.window = 502;
        spec.payload = std::move(payload);
        const auto bytes = wire::build_tcp_ipv4(spec);
        offline::Frame f;
        f.number = ++m_frame;
        f.ts_unix = 1.7e9 + static_cast<double>(m_frame) * 1e-4;
        f.wire_len = static_cast<uint32_t>(bytes.size());
        f.bytes = bytes;
        m_tracker.add(f, capture::link_type::raw);
    }

    offline::FlowTracker& m_tracker;
    uint64_t m_frame = 0;
    std::map<int, uint32_t> m_server_next;
};

constexpr int k_flows = 1500;

struct Run {
    std::vector<FlowFacts> flows;
    offline::TrackerStats stats;
    std::map<std::string, int> anomalies;
};

Run run(offline::FlowLimits limits) {
    Run r;
    offline::FlowTracker tracker([&](offline::FinishedFlow&& f) { r.flows.push_back(f.facts); },
                                 limits);
    tracker.begin_file("generated.pcap");
    Capture capture(tracker);
    for (int i = 0; i < k_flows; ++i) capture.handshake(i);
    for (int i = 0; i < k_flows; ++i) capture.bulk(i);
    r.stats = tracker.stats();
    tracker.finish();
    r.anomalies = tracker.anomalies();
    return r;
}

TEST(FlowMemory, AStreamKeepsOnlyItsClearTextStart) {
    auto r = run(offline::FlowLimits{});
    EXPECT_EQ(r.stats.peak_open_flows, static_cast<size_t>(k_flows));
    // 34 KB of application data per flow followed the handshake; none of it is kept.
    EXPECT_LT(r.stats.peak_retained_bytes / static_cast<size_t>(k_flows), 8192U);
    ASSERT_EQ(r.flows.size(), static_cast<size_t>(k_flows));
    for (const auto& f : r.flows) {
        EXPECT_EQ(f.outcome, FlowOutcome::completed);
        EXPECT_EQ(f.sni, "memory.test");
    }
    EXPECT_EQ(r.anomalies.count("memory_limit"), 0U);
}

TEST(FlowMemory, OpenFlowsStayUnderTheBudget) {
    offline::FlowLimits limits;
    limits.max_retained_bytes = size_t{1} << 20;
    auto r = run(limits);
    // One packet's worth over the budget at most: it is shed right after.
    EXPECT_LE(r.stats.peak_retained_bytes, limits.max_retained_bytes + 16384);
    EXPECT_LT(r.stats.peak_open_flows, static_cast<size_t>(k_flows));
    EXPECT_GT(r.anomalies["memory_limit"], 0);
    // Flows finished early are still judged from what they had: every one is reported.
    ASSERT_EQ(r.flows.size(), static_cast<size_t>(k_flows));
    for (const auto& f : r.flows) EXPECT_EQ(f.sni, "memory.test");
}

}  // namespace
}  // namespace sniprobe
