// The DNS HTTPS record (type 65, RFC 9460), parsed by hand: Debian 12's c-ares 1.18 hands
// over the raw answer of a type-65 query but has no parser for it (c-ares 1.22 added one).
// Read from a DNS response: each HTTPS answer's SvcPriority, TargetName and the SvcParams
// a probe acts on, alpn (h3 means the site serves HTTP/3) and ech (an ECHConfigList: the
// site publishes ECH, and its public_name is the outer SNI browsers send). The bytes come
// from the network and may be hostile: every length is checked against its enclosing
// limit, and a malformed record is an error naming why, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace sniprobe {

// One HTTPS (or SVCB) record's RDATA.
struct HttpsRecord {
    uint16_t priority = 0;                      // 0 = AliasMode (no SvcParams), else ServiceMode
    std::string target;                         // TargetName, "." for the owner name itself
    std::vector<std::string> alpn;              // key 1, in order
    bool no_default_alpn = false;               // key 2
    std::optional<uint16_t> port;               // key 3
    std::vector<uint8_t> ech;                   // key 5: the ECHConfigList as published
    std::vector<std::string> ech_public_names;  // public_name of each ECHConfig it holds
    std::vector<uint16_t> keys;                 // every SvcParamKey, in (ascending) order

    bool alias() const { return priority == 0; }
    bool has_alpn(std::string_view id) const;
};

// Parses one RDATA (RFC 9460 §2.2): the TargetName uncompressed, SvcParamKeys strictly
// ascending, each value's length inside the RDATA, alpn ids non-empty, port two bytes.
Result<HttpsRecord> parse_https_rdata(std::span<const uint8_t> rdata);

// The HTTPS answers of a DNS response message (RFC 1035 §4.1): the header, the questions
// skipped, then every answer of type 65 (class IN) parsed; other answers (a CNAME chain)
// are skipped. Owner names may be compressed; the RDATA's TargetName may not.
Result<std::vector<HttpsRecord>> https_records_from_response(std::span<const uint8_t> message);

}  // namespace sniprobe
