// The probe variants of DESIGN.md §3. Each is a row in the report; its name is a stable
// string in the JSON. A variant only means something beside its controls: a failed
// split variant with a failing control split says "this server rejects splits", not
// "a middlebox".
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace sniprobe {

enum class Variant {
    sni,                // the target name, as a browser sends it
    no_sni,             // no server_name extension
    control_sni,        // an unrelated name to the same address
    sni_split_tcp,      // ClientHello split across TCP segments inside the SNI
    sni_split_record,   // ClientHello split across TLS records
    sni_case,           // the target name in mixed case
    sni_large,          // ClientHello grown past one MSS (post-quantum sized)
    control_split_tcp,  // control name, split like sni_split_tcp (the split's control)
    http_host,          // plain HTTP on port 80 with Host: target
    full_verify,        // complete handshake, certificate verified
    control_large,      // control name, in sni_large's hello (the large hello's control)
    sni_chrome,         // the target name in a Chrome-shaped hello (forged, permuted, post-quantum)
    control_chrome,     // control name, Chrome-shaped
    sni_firefox,        // the target name in a Firefox-shaped hello (forged)
    control_firefox,    // control name, Firefox-shaped
    control_http,       // plain HTTP on port 80 with Host: control name (http_host's control)
    sni_mss,            // the target name with our MSS clamped (TCP_MAXSEG, k_clamped_mss):
                        // the server's segments stay small (its path-MTU twin is sni)
    sni_ech,            // the target name in sni's hello shape plus a GREASE ECH extension
                        // (forged): its twin without ECH is sni
    control_ech,        // control name, with the same GREASE ECH extension (sni_ech's control)
    // QUIC (UDP, the server's Initial read with the Initial keys; quic/ and probe/quic_trials):
    // The hellos carry no ECH extension unless the name says so (the ECH twins).
    quic_sni,                 // the target name in a Chrome-shaped hello in Initials
    quic_no_sni,              // no server_name
    quic_control,             // the control name
    quic_version_ping,        // an unknown version: any QUIC server answers Version Negotiation
    quic_followup_same_port,  // control name after a quic_sni trigger, from its source port
    quic_followup_new_port,   // control name after a quic_sni trigger, from a fresh port
    quic_sni_ech,             // quic_sni plus a GREASE ECH extension
    quic_control_ech,         // quic_control plus a GREASE ECH extension
};

// The MSS sni_mss clamps to: IPv4's minimum default, below any tunnel's MTU.
inline constexpr int k_clamped_mss = 536;

// Stable JSON/report name ("sni", "no_sni", ...).
std::string_view variant_name(Variant v);

// Parses a stable name; nullopt for unknown names.
std::optional<Variant> variant_from_name(std::string_view name);

// Every variant, in report order.
const std::vector<Variant>& all_variants();

// True for the plain-HTTP variants (http_host and its control).
bool is_http_variant(Variant v);
// Sends the target name in a TLS ClientHello over TCP (sni, its split, case, large, browser,
// ECH and MSS-clamped twins, full_verify): the variants a name-triggered box can react to.
bool names_target_in_hello(Variant v);

// True for the TLS-over-TCP controls: no name, or the control name in one of the target
// variants' hello shapes (no_sni, control_sni, control_split_tcp, control_large,
// control_chrome, control_firefox, control_ech).
bool is_control_tls(Variant v);

// True for the hellos that carry a GREASE ECH extension by construction (sni_ech,
// control_ech, quic_sni_ech, quic_control_ech). The browser shapes carry one too, as
// browsers do, but are not ECH's differential.
bool is_ech_variant(Variant v);

// The `browser` set: the browser-shaped hellos and their control-name twins.
const std::vector<Variant>& browser_variants();

// The QUIC variants (diagnose --quic), in report order; not part of all_variants().
const std::vector<Variant>& quic_variants();

// True for the QUIC variants.
bool is_quic(Variant v);

}  // namespace sniprobe
