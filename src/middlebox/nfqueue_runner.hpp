// The middlebox process: binds an NFQUEUE queue (libnetfilter_queue's libmnl API),
// hands every queued packet to the Engine, and carries out its decisions: forged
// packets go out of an IPPROTO_RAW socket with IP_HDRINCL (our own TTL, IP ID, DF),
// verdicts go back by packet id, and held packets wait on a timer. DESIGN.md §6: a
// raw-socket RST loses the race against the real ServerHello unless the ClientHello is
// held or dropped, so on-path rules inject first and release the original after.
#pragma once

#include <cstdint>

#include "middlebox/engine.hpp"
#include "middlebox/rules.hpp"
#include "util/result.hpp"

namespace sniprobe::middlebox {

struct RunnerOptions {
    uint16_t queue_num = 0;
    uint32_t queue_maxlen = 8192;  // packets the kernel queues before failing open/closed
    bool fail_open = true;         // a full queue lets packets pass (as real DPI boxes do)
    EngineOptions engine;
};

// The line printed on stderr once the queue is bound (`lab up` waits for it).
inline constexpr const char* k_ready_line = "middlebox ready";

// Runs until SIGTERM/SIGINT/SIGHUP (util/interrupt.hpp): prints k_ready_line once bound,
// one line per trigger, the counters on SIGUSR1 and at exit; unbinds the queue on exit.
// Fails when the queue cannot be bound or the raw socket cannot be opened.
Result<void> run_nfqueue(Rules rules, const RunnerOptions& options);

}  // namespace sniprobe::middlebox
