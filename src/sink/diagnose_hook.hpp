// The one call `diagnose --sink URL --token-file FILE` makes after its probes: fetch the
// sink's records for our address and the run's time window, correlate them with the
// trials and store the sink section in the diagnosis; decide() turns it into the
// E_SINK_* evidence.
// Network trouble with the sink is a note and a `sink.failure`, never a failed run:
// the client-side verdict stands on its own.
#pragma once

#include <string>

#include "model/diagnosis.hpp"

namespace sniprobe::sink {

// What `diagnose --sink` was given.
struct SinkClientOptions {
    std::string url;            // http://HOST:PORT of `sniprobe sink --listen`
    std::string token_file;     // the same token the sink reads
    double run_start_unix = 0;  // when the probes started (trials' t0 origin)
    int timeout_ms = 5000;      // for the whole fetch
};

// Fetches, correlates and stores d.sink (see above); then judge again with decide().
void correlate(Diagnosis& d, const SinkClientOptions& options);

}  // namespace sniprobe::sink
