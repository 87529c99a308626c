// What `sniprobe analyze` reads from capture files the user already has: every TCP flow
// to a TLS service, how it ended and who ended it, and — per name — the same Diagnosis
// (trials, analysis, verdict) that `diagnose` builds from its own probes, so the verdict
// comes from the same rules. Frame numbers are 1-based positions in their file, as
// Wireshark shows them, so a user can jump to the packets that prove the verdict.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
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
    // One per followed flow, trial id = index. judge_captures moves each trial a name's
    // verdict reads into (the last such) diagnosis: read them there afterwards.
    std::vector<Trial> trials;
    std::vector<FlowFacts> flows;
    std::vector<NameVerdict> names;
    std::vector<AddressSummary> addresses;
    std::vector<RstFinding> other_rsts;    // forensics of the RSTs of non-TLS flows
    std::map<std::string, int> anomalies;  // named anomaly -> count
    std::vector<std::string> notes;
};

}  // namespace sniprobe
