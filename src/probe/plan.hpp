// The probe plan: which variant goes to which address with which server name, in what
// order. The quirk: interference is probabilistic and often stateful (residual blocking
// of a tuple for 90-180 s after one triggered handshake), so trials are interleaved in
// shuffled rounds — every round holds each variant once — rather than run variant by
// variant; then a burst of residual blocking hits every variant alike instead of
// faking a difference between them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "forge/hello_forge.hpp"
#include "model/diagnosis.hpp"
#include "model/variant.hpp"

namespace sniprobe {

// How far a TLS probe goes. `server_hello` (scan's ClientHello probe) stops at the
// server's first answer: a whole ServerHello record (success), an alert, RST, FIN or the
// timeout, without processing the rest of the flight; full_verify always completes.
enum class HandshakeDepth { complete, server_hello };

// Everything that shapes a probe run (diagnose defaults; scan raises concurrency).
struct ProbeOptions {
    std::vector<Variant> variants = all_variants();
    int trials_per_variant = 10;
    int timeout_ms = 4000;      // per trial, from the connect() call to the verdict
    int concurrency = 6;        // trials in flight at once
    std::string ca_file;        // full_verify trust store; "" = the system store
    uint64_t seed = 1;          // plan shuffle
    int max_addresses = 1;      // addresses of the resolution to spread trials over
    uint16_t http_port = 80;    // http_host's port
    int mss = 0;                // clamp our TCP MSS (TCP_MAXSEG); 0 = the kernel's choice.
                                // A clamped run that succeeds where the default fails
                                // points at path MTU trouble.
    double run_start_unix = 0;  // CLOCK_REALTIME seconds; 0 = set at run start
    HandshakeDepth depth = HandshakeDepth::complete;  // handshake variants (not full_verify)
    double max_new_per_second = 0;  // pacing of new connections (token bucket); 0 = none
    // With depth server_hello: the plain variants (sni, no_sni, control_sni, sni_case) send
    // a forged hello of this shape, without an SSL object; nullopt = OpenSSL writes it.
    std::optional<forge::Shape> hello_shape;
    // Trial::client_hello_segments from TCP_INFO (one getsockopt a trial); false: the
    // number of writes, for runs whose records do not carry it (scan).
    bool count_hello_segments = true;
};

// One trial to run: the engine turns it into a Trial.
struct PlannedTrial {
    int id = 0;  // position in the run (0..n-1, in run order)
    Variant variant = Variant::sni;
    std::string address;  // IP literal
    uint16_t port = 0;
    std::string server_name;  // SNI to send ("" = none); Host for http_host
};

// Builds the shuffled, interleaved plan. Variants that need a name are skipped for an
// IP-literal target (no name to send); control variants use target.control_sni (or
// default_control_sni). Repetition r goes to address r % addresses. Empty when the
// resolution has no address.
std::vector<PlannedTrial> plan_trials(const Target& target, const Resolution& resolution,
                                      const ProbeOptions& options);

// The server name a variant sends for this target ("" = none): sni_case mixes case,
// control variants use the control name, no_sni sends none.
std::string server_name_for(Variant variant, const Target& target);

}  // namespace sniprobe
