// Judging one finished flow (internal to offline/): which side is the client, whether it
// carries TLS, what the ClientHello says, what the server's clear-text records say
// (ServerHello, alerts, certificates), how the flow ended and by whom, and the Trial that
// analysis/ and verdict/ read. Plain data in, plain data out, so it is tested and fuzzed
// without a capture file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/packet.hpp"
#include "model/trial.hpp"
#include "offline/flow_tracker.hpp"

namespace sniprobe::offline {

// A segment that arrived ahead of a gap.
struct OutOfOrder {
    std::vector<uint8_t> bytes;
    size_t wire_len = 0;
    uint64_t frame = 0;
};

// One direction's byte stream, reassembled by sequence number (first bytes only).
struct Stream {
    bool started = false, syn_seen = false;
    uint32_t next = 0;
    std::vector<uint8_t> bytes;                      // at most FlowLimits::max_stream_bytes
    std::vector<std::pair<size_t, uint64_t>> marks;  // stream offset -> frame that brought it
    std::map<uint32_t, OutOfOrder> out_of_order;
    bool cut = false;  // a segment was cut by the snap length: later bytes are unknown
    bool gap = false;  // a hole that never filled
    // The clear text is over (encrypted records, a fatal alert, not TLS): later bytes
    // are not kept. record_at: offset of the first record not yet walked.
    bool settled = false;
    size_t record_at = 0;
    size_t out_of_order_bytes = 0;  // payload bytes held in out_of_order
    uint64_t total = 0;
    // The frame that carried stream byte `offset` (0 when unknown).
    uint64_t frame_at(size_t offset) const;
};

// A packet before the flow knows its client: `record.direction` is set by judge_flow.
struct RawPacket {
    PacketRecord record;
    bool from_a = false;
    uint64_t frame = 0;
};

// Certificate checks already made in this capture, by chain and name: a server sends the
// same chain to every client, and checking one (parsing it, building the path to the trust
// store) costs more than following the whole flow. A result is reused only for a time at
// which no certificate of the chain changed validity, and within a day (trust anchors).
class CertificateCache {
  public:
    CertificateCheck check(const std::vector<std::vector<uint8_t>>& chain, const std::string& host,
                           double at_unix);
    size_t checks_made() const { return m_checks; }

  private:
    struct Entry {
        size_t hash = 0;
        std::vector<std::vector<uint8_t>> chain;
        std::string host;
        double at = 0;
        double from = 0, until = 0;
        CertificateCheck result;
    };
    static constexpr size_t k_entries = 64;
    std::vector<Entry> m_entries;  // at most k_entries; the oldest is replaced
    size_t m_next = 0;
    size_t m_checks = 0;
};

struct FlowInput {
    std::string file;
    std::string a, b;  // IP literals; a sent the flow's first captured packet
    uint16_t a_port = 0, b_port = 0;
    const std::vector<RawPacket>* packets = nullptr;
    const Stream* stream_a = nullptr;
    const Stream* stream_b = nullptr;
    const std::vector<IcmpRecord>* icmp = nullptr;
    bool packets_capped = false;
    uint64_t duplicates = 0;
    double capture_unix = 0;  // capture time of the flow's first packet (certificate checks)
    CertificateCache* certificates = nullptr;  // nullptr: every chain is checked afresh
};

// The flow as a trial and its facts; nullopt for flows not worth keeping (not TLS and
// without an RST to show).
std::optional<FinishedFlow> judge_flow(const FlowInput& in);

// Reduces a judged flow to what its verdict reads. A flow with no RST and no FIN that
// forensics would judge (one from the server before any of its payload, the ServerHello
// unseen) keeps only its SYN, SYN-ACK, first payload segment each way and FINs: its other
// packets are never looked at again. Flows with a reset keep every packet.
void compact(FinishedFlow& flow);

}  // namespace sniprobe::offline
