// The observations the verdict rules read, gathered once from a Diagnosis: each trial
// classified by how it ended (after TCP connected or not, reset/timeout/FIN/alert/bad
// certificate), tallied per variant group, and the RST forensics of the target's failed
// trials. The quirk: a trial "reached the server" when a ServerHello began arriving or
// an alert came back; a certificate failure is a handshake that *worked* at the TLS
// layer, not a failed one, and must never be counted as interference.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "analysis/fisher.hpp"
#include "model/diagnosis.hpp"

namespace sniprobe::verdict {

// How one trial ended, from the recorded observation.
enum class Outcome { ok, connect_failed, reset, timeout, eof, alert, certificate, other };
inline constexpr size_t k_outcome_count = static_cast<size_t>(Outcome::other) + 1;

// Stable word for an outcome ("reset", ...), for messages.
const char* outcome_name(Outcome outcome);

// Classifies one trial (alert beats reset: the server spoke).
Outcome classify(const Trial& trial);

// True when the server answered at the TLS layer (ServerHello began, or an alert).
bool reached_server(const Trial& trial);

// Counts over a group of variants.
struct Tally {
    int trials = 0;
    int reached = 0;                              // reached_server()
    int captured = 0;                             // trials with packet capture
    std::array<int, k_outcome_count> outcomes{};  // by Outcome (a map cost a node each)
    std::map<std::string, int> failures;          // OONI failure string -> count (for messages)
    std::map<FailureCode, int> failure_codes;     // the same counts by code (for rules)
    std::map<std::string, int> alerts;            // alert name -> count

    int count(Outcome o) const;
    int ok() const { return count(Outcome::ok); }
    bool ran() const { return trials > 0; }
    double fraction(Outcome o) const;
    // "connection_reset 9, generic_timeout_error 1" (most frequent first)
    std::string failure_list() const;
    // The most frequent alert name, or "".
    std::string top_alert() const;
};

// Tallies the trials of the given variants.
Tally tally(const std::vector<Trial>& trials, std::initializer_list<Variant> variants);

// What RST/FIN forensics said about a set of trials.
struct OriginCount {
    int injected = 0, server = 0, unknown = 0;
    int total() const { return injected + server + unknown; }
};
struct Forensics {
    OriginCount rst, fin;
    std::map<std::string, int> signatures;  // injected packets' signature name -> count
};

// Forensics of the failed (reset/eof) trials of the given variants.
Forensics forensics_for(const Diagnosis& d, std::initializer_list<Variant> variants);

// Everything the rules read, computed once.
struct Facts {
    const Diagnosis& d;
    std::string name;  // the target name as shown to the user
    Tally target;      // sni
    Tally controls;    // no_sni + control_sni
    Tally no_sni, control_sni;
    Tally all_tls;  // every TLS variant
    Tally split_tcp, split_record, sni_case, large, control_split, http, full_verify;
    Tally http_control;  // control_http: the control Host on the same address and port
    Tally mss;           // sni_mss: the target name with our MSS clamped
    Tally control_large, chrome, control_chrome, firefox, control_firefox;
    Tally ech, control_ech;  // sni_ech, control_ech: sni's hello plus GREASE ECH
    Forensics target_forensics;
    bool any_captured = false;
    // False when nobody reads the evidence texts (a scan line prints ids only): rules
    // may then leave Evidence::text empty instead of formatting it.
    bool evidence_text = true;

    explicit Facts(const Diagnosis& diagnosis, bool evidence_texts = true);

  private:
    Tally* own_tally(Variant v);
};

// p of "target fails with `o` more often than the controls".
double differential_p(const Tally& target, const Tally& controls, Outcome o);

// "9/10"
std::string ratio(int part, int whole);

}  // namespace sniprobe::verdict
