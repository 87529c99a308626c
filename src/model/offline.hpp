// What `sniprobe analyze` reads from capture files the user already has: every TCP flow
// to a TLS service, how it ended and who ended it, and — per name — the same Diagnosis
// (trials, analysis, verdict) that `diagnose` builds from its own probes, so the verdict
// comes from the same rules. Frame numbers are 1-based positions in their file, as
// Wireshark shows them, so a user can jump to the packets that prove the verdict.
#pragma once
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/analysis.hpp"
#include "model/diagnosis.hpp"
#include "model/names.hpp"

namespace sniprobe {

// Where the capture was taken, judged from the TTLs of SYNs and SYN-ACKs: the side whose
// packets still carry an initial TTL (64, 128, 255) is the side the capture ran on.
enum class CaptureSide { client, server, middle, unknown };

// How one flow ended (the first thing that ended the handshake).
enum class FlowOutcome {
    completed,      // both sides moved to encrypted records
    server_hello,   // the server answered; the capture ends or the client left before the end
    alert,          // a fatal TLS alert in clear text
    reset,          // an RST ended it (FlowFacts::by says whose, by address)
    fin,            // a FIN before the server's first TLS byte
    silent_server,  // the ClientHello got no answer
    silent_client,  // connected, but the client never sent a ClientHello
    refused,        // the SYN drew an RST
    no_answer,      // the SYN drew nothing
    plain_http,     // the server answered the hello in plain HTTP
    not_tls,        // neither a TLS port nor a ClientHello: not followed further
};

// Which endpoint a packet came from (by address and port, not by who really sent it).
enum class FlowSide { none, client, server };

// One flow, as the text and JSON reports list it.
struct FlowFacts {
    int trial_id = 0;  // the Trial built from this flow (CaptureAnalysis::trials)
    std::string file;
    std::string client, server;  // IP literals
    uint16_t client_port = 0, server_port = 0;
    std::string sni;           // lower case (names are case-insensitive); "" when none
    bool sni_unknown = false;  // the hello was cut before its SNI could be read
    std::string hello_shape;   // "517 B, 1 record, 16 ext, TLS 1.3/1.2, ALPN h2,http/1.1"
    FlowOutcome outcome = FlowOutcome::not_tls;
    FlowSide by = FlowSide::none;         // who sent the RST/FIN/alert, or went quiet
    std::string detail;                   // alert name, "warning unrecognized_name", ...
    std::optional<int> probe_ttl;         // a TTL-limited ClientHello (CenTrace-style trace)
    std::string icmp_router;              // time-exceeded source for that hello
    std::optional<RstOrigin> end_origin;  // forensics of the RST that ended it (by server)
    uint64_t syn_frame = 0, synack_frame = 0, hello_frame = 0, end_frame = 0;  // 0: none
    std::vector<uint64_t> packet_frames;  // frame of each of the trial's packets, same order
    std::vector<std::string> anomalies;   // "snaplen_cut_hello", "rst_before_trigger", ...
};

// A FlowFacts read in place (texts are views into the FlowList, valid while it lives).
struct FlowView {
    int trial_id = 0;
    std::string_view file, client, server, sni, hello_shape, detail, icmp_router;
    uint16_t client_port = 0, server_port = 0;
    bool sni_unknown = false;
    FlowOutcome outcome = FlowOutcome::not_tls;
    FlowSide by = FlowSide::none;
    std::optional<int> probe_ttl;
    std::optional<RstOrigin> end_origin;
    uint64_t syn_frame = 0, synack_frame = 0, hello_frame = 0, end_frame = 0;
    bool has_anomalies = false;
};

// Every followed flow of a capture, compact: a capture of 200,000 short flows is held in
// tens of MiB, not the ~1 KiB each FlowFacts takes. Texts repeated from flow to flow
// (file, addresses, server name, hello shape, detail, anomalies) are kept once each;
// frame numbers in one shared array. Reads give a FlowFacts by value.
class FlowList {
  public:
    size_t size() const { return m_ordered ? m_order.size() : m_records.size(); }
    bool empty() const { return size() == 0; }
    void push_back(const FlowFacts& f);
    FlowFacts operator[](size_t i) const;
    FlowFacts at(size_t i) const;
    FlowFacts front() const { return (*this)[0]; }
    FlowFacts back() const { return (*this)[size() - 1]; }

    // A cheap read for loops over every flow (no texts copied).
    FlowView view(size_t i) const;
    FlowOutcome outcome(size_t i) const { return static_cast<FlowOutcome>(record(i).outcome); }
    uint64_t first_frame(size_t i) const;

    void set_end_origin(size_t i, RstOrigin origin);
    void set_trial_id(size_t i, int id);
    // Reorders the flows: flow order[k] becomes flow k.
    void permute(const std::vector<size_t>& order);

    class const_iterator {
      public:
        using iterator_category = std::input_iterator_tag;
        using value_type = FlowFacts;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = FlowFacts;
        const_iterator(const FlowList* list, size_t i) : m_list(list), m_i(i) {}
        FlowFacts operator*() const { return (*m_list)[m_i]; }
        const_iterator& operator++() {
            ++m_i;
            return *this;
        }
        bool operator==(const const_iterator& o) const { return m_i == o.m_i; }

      private:
        const FlowList* m_list;
        size_t m_i;
    };
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, size()}; }

  private:
    // A vector in fixed chunks: growing never copies what is there, nor holds twice it.
    template <typename T>
    class Chunked {
      public:
        static constexpr size_t k_chunk = 4096;
        size_t size() const { return m_size; }
        void push_back(const T& value) {
            if (m_size % k_chunk == 0) {
                m_chunks.emplace_back();
                m_chunks.back().reserve(k_chunk);
            }
            m_chunks.back().push_back(value);
            ++m_size;
        }
        const T& operator[](size_t i) const { return m_chunks[i / k_chunk][i % k_chunk]; }
        T& operator[](size_t i) { return m_chunks[i / k_chunk][i % k_chunk]; }

      private:
        std::vector<std::vector<T>> m_chunks;
        size_t m_size = 0;
    };

    struct Record {
        uint32_t file = 0, client = 0, server = 0, sni = 0, hello_shape = 0, detail = 0,
                 icmp_router = 0, anomalies = 0;  // text ids; 0 = ""
        uint32_t frames_count = 0;
        uint64_t frames_at = 0;    // into m_frames
        uint64_t frames_base = 0;  // the first packet frame; m_frames holds offsets from it
        uint64_t syn = 0, synack = 0, hello = 0, end = 0;
        int trial_id = 0;
        uint16_t client_port = 0, server_port = 0;
        int16_t probe_ttl = -1;  // -1: none
        uint8_t outcome = 0, by = 0;
        uint8_t end_origin = 0xff;  // 0xff: none
        bool sni_unknown = false;
    };
    uint32_t intern(std::string_view s);
    std::string_view text(uint32_t id) const { return m_texts[id]; }

    const Record& record(size_t i) const { return m_records[m_ordered ? m_order[i] : i]; }
    Record& record(size_t i) { return m_records[m_ordered ? m_order[i] : i]; }

    Chunked<Record> m_records;  // in the order flows were added
    bool m_ordered = false;     // permuted: flow k is m_records[m_order[k]]
    std::vector<uint32_t> m_order;
    // Packet frames as offsets from the flow's first; one that does not fit is the escape
    // word followed by the frame's high and low halves.
    Chunked<uint32_t> m_frames;
    std::vector<std::string> m_texts{std::string()};
    std::unordered_map<std::string, uint32_t> m_ids;
};

// Verdict for one server name (or one address, for hellos without a name).
struct NameVerdict {
    std::string name;        // SNI, or the address literal for nameless hellos
    std::vector<int> flows;  // trial ids of the name's own flows
    Diagnosis diagnosis;     // trials (target and controls), analysis, trace, verdict
};

// One server address and what each name to it drew.
struct AddressSummary {
    std::string address;
    std::map<std::string, std::map<std::string, int>> names;  // name -> outcome -> flows
};

struct CaptureAnalysis {
    std::vector<std::string> files;
    CaptureSide side = CaptureSide::unknown;
    uint64_t frames = 0, bytes = 0;
    // The trials the verdicts read (offline::AnalyzeOptions: the first flows of each name,
    // address and outcome; every flow in a small capture), by trial id, ascending; a
    // trial's id is its flow's index. judge_captures moves each trial a name's verdict
    // reads into (the last such) diagnosis: read them there afterwards.
    std::vector<Trial> trials;
    FlowList flows;               // every followed flow, index = trial id
    size_t flows_not_judged = 0;  // flows listed but beyond the judged sample
    std::vector<NameVerdict> names;
    std::vector<AddressSummary> addresses;
    std::vector<RstFinding> other_rsts;    // forensics of the RSTs of non-TLS flows
    std::map<std::string, int> anomalies;  // named anomaly -> count
    std::vector<std::string> notes;
};

}  // namespace sniprobe
