// What the cooperating server side (`sniprobe sink`) saw of our trials, correlated with
// them by `diagnose --sink`: per trial, whether the server received the SYN and the
// ClientHello, whether it answered, and which resets reached it that we never sent.
// Plain data beside the Diagnosis (optional: only with --sink); the JSON writer prints
// it as `sink`, the verdict evidence E_SINK_* is derived from it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/names.hpp"

namespace sniprobe {

// What the server's side shows about one trial's connection.
enum class SinkFinding {
    two_sided,        // resets reached both ends that neither end sent: forged on the path
    client_only,      // only our side saw the reset
    no_client_hello,  // the SYN reached the server, the ClientHello did not
    answer_lost,      // the server answered, the answer never reached us
    server_rst,       // the server's host reset the connection itself
    clean,            // nothing wrong seen on the server's side
    no_connection,    // unmatched: the failed connection never reached the server
};

// The server's view of one trial's connection.
struct SinkTrialFinding {
    int trial_id = 0;
    std::string matched_by;          // "4-tuple" | "isn" | "time_sni"
    bool syn_seen = false;           // the server received our SYN
    std::optional<int> syn_ttl;      // TTL our SYN arrived with
    bool client_hello_seen = false;  // the server received a whole ClientHello
    std::string server_name;         // its SNI, as the server received it
    bool server_answered = false;    // the server sent data back (its ServerHello flight)
    bool server_sent_rst = false;    // the server's host sent an RST itself
    int rst_received = 0;            // RSTs that reached the server
    int rst_not_sent_by_us = 0;      // ...of which our side never sent (forged on the path)
    std::vector<int> rst_ttls;       // TTLs the RSTs arrived with
    SinkFinding finding = SinkFinding::clean;
};

// The sink section of a diagnosis.
struct SinkReport {
    std::string url;           // where the records came from
    std::string failure;       // "" when the records were fetched, else why not
    int records = 0;           // connection records the sink returned
    int trials_matched = 0;    // trials found in them
    int trials_unmatched = 0;  // failed TLS trials the sink never saw (no SYN reached it)
    std::vector<SinkTrialFinding> trials;
};

}  // namespace sniprobe
