// The middlebox rules file: which flows the lab's DPI emulator interferes with and how
// the forged packets look. A rule matches on the SNI (exact or suffix; optionally only
// in hellos that carry an ECH extension), the HTTP Host
// or the destination address (IPv4), on one IP version or both (`family`), fires with a
// per-connection probability, and forges packets with a configurable fingerprint (count, RST vs
// RST+ACK, TTL, IP ID, window, sequence spread), because real injectors differ exactly there and
// sniprobe's forensics must tell them apart. Parse errors name the file, line and field.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace sniprobe::middlebox {

// What a rule looks at.
enum class MatchKind { sni_exact, sni_suffix, http_host, dst_ip };

// What a rule does to a matching flow.
enum class Action { rst_both, rst_client, drop, fin_client, blockpage, drop_all, pass };

// What a rule inspects: TCP ClientHellos, or the first QUIC Initial of a UDP flow (opened
// with the keys its DCID gives, as the GFW does since 2024). A QUIC rule drops the
// Initial and the rest of its flow (`drop`) or lets it through (`pass`); either way
// `residual_seconds` then drops the client's datagrams to that (server, port) for a while, starting
// `delay_ms` later.
enum class Transport { tcp, quic };

// on_path: inject, then release the held original; in_path: inject and drop the original.
enum class Mode { on_path, in_path };

// RST alone (like GFW type I) or RST+ACK (type II/III, Henan).
enum class RstFlags { rst, rst_ack };

// How the forged packets' IPv4 identification is chosen.
enum class IpIdKind { zero, copy, fixed, random };

// How much of a split ClientHello the box puts back together. `no` parses each segment
// alone (Henan); `tcp` buffers segments but reads only hellos in one TLS record (GFW,
// 2024); `tcp_and_records` also joins TLS records. `first_segment_only` reads the flow's
// first data segment and nothing after it, taking the name from a truncated hello if its
// bytes are there (the boxes that post-quantum hellos, 1.7-1.9 KB, get past).
enum class Reassemble { no, tcp, tcp_and_records, first_segment_only };

// Whether host names compare case-sensitively (an exact-string DPI) or not.
enum class CaseSensitive { no, yes };

// The forged packets' header fields.
struct Fingerprint {
    int count = 1;  // packets per direction
    RstFlags flags = RstFlags::rst_ack;
    uint8_t ttl = 64;
    IpIdKind ip_id = IpIdKind::random;
    uint16_t ip_id_fixed = 0;  // used when ip_id == fixed
    bool df = false;
    uint16_t window = 0;
    std::vector<uint32_t> seq_spread{0};  // offset of packet i: seq_spread[i % size]
};

// One rule of a rules file.
struct Rule {
    std::string name;
    MatchKind match = MatchKind::sni_exact;
    std::string pattern;              // host name (lower-cased unless case-sensitive) or IPv4 text
    std::array<uint8_t, 4> dst_ip{};  // parsed pattern for dst_ip
    CaseSensitive case_sensitive = CaseSensitive::no;
    // match.ech = true: only hellos that carry an encrypted_client_hello extension (0xfe0d,
    // real or GREASE) match, as Russia's TSPU drops the name only with ECH (TCP and QUIC).
    bool ech = false;
    std::vector<uint16_t> ports;  // server ports; empty = any
    Action action = Action::rst_both;
    double probability = 1.0;  // per connection, decided once per flow
    Reassemble reassemble = Reassemble::tcp_and_records;
    Mode mode = Mode::on_path;
    Fingerprint fingerprint;
    uint32_t delay_ms = 0;          // from the trigger to the injection
    uint32_t residual_seconds = 0;  // block the (client, server, port) tuple afterwards
    int family = 0;                 // 4 or 6: only that IP version; 0 = both
    Transport transport = Transport::tcp;
    int line = 0;  // where the rule starts in its file
};

// A parsed rules file (an empty rule list is the `clean` profile).
struct Rules {
    std::string origin;  // file name or "profile:<name>"
    std::vector<Rule> rules;
};

// Parses rules TOML; errors read "ORIGIN:LINE: FIELD: problem".
Result<Rules> parse_rules(std::string_view toml, std::string_view origin);

// Reads and parses a rules file from disk.
Result<Rules> load_rules_file(const std::string& path);

// True when `host` is matched by the rule's host pattern (sni_* and http_host kinds).
bool host_matches(const Rule& rule, std::string_view host);

// Stable names used in rules files and log lines.
std::string_view action_name(Action a);
std::string_view match_kind_name(MatchKind m);
std::string_view mode_name(Mode m);

}  // namespace sniprobe::middlebox
