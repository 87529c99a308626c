// RST forensics: who sent the RST (or the FIN) that ended a handshake? Each inbound RST,
// and each inbound FIN of a handshake that never got a ServerHello, is compared with
// the server's own packets of the same connection — its SYN-ACK above all, which an
// on-path injector does not forge: TTL (and the hop distance it implies from an initial
// TTL of 64/128/255), IP ID pattern, DF, sequence number against the server's next
// sequence, payload, and how soon after our ClientHello it came relative to the round
// trip. The server's own kernel reset (same TTL as its SYN-ACK, on Linux IP ID 0 and DF)
// is `server`, never `injected`; where the packets cannot tell, the answer is `unknown`.
#pragma once

#include <cstdint>
#include <vector>

#include "model/analysis.hpp"
#include "model/trial.hpp"

namespace sniprobe {

// One finding per inbound RST (and per forged-looking FIN), in trial then packet order.
// Trials without captured packets give none.
std::vector<RstFinding> analyze_rsts(const std::vector<Trial>& trials);

// The initial TTL a sender most likely used: the smallest of 64, 128, 255 >= ttl.
uint8_t guess_initial_ttl(uint8_t ttl);

// An upper bound on the chance that `samples` uniformly random nonzero IP IDs hold some
// value `repeats` times or more (1 when repeats < 2): below 1 %, a repeat is a fixed ID.
double ip_id_repeat_chance(int repeats, int samples);

}  // namespace sniprobe
