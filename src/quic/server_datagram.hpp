// What came back over UDP from a QUIC server, read by hand: every coalesced packet of a
// datagram is classified (Version Negotiation, Initial, 0-RTT, Handshake, Retry, short
// header); Initials are opened with the server Initial keys (derived from the client's
// DCID) and their frames walked: ACK, PADDING, PING, CRYPTO (the server's ServerHello
// rides in them, without TLS record headers) and CONNECTION_CLOSE (a TLS alert travels as
// error code 0x0100 + alert, RFC 9001 §4.8). Handshake packets need the ECDHE secret and
// stay sealed: they only prove a live server. A Retry's integrity tag (RFC 9001 §5.8) is
// checked against the client's original DCID. The bytes are untrusted: every length is
// checked before it is read, and anything malformed becomes a named anomaly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "forge/server_reply.hpp"
#include "quic/initial_keys.hpp"

namespace sniprobe::quic {

enum class PacketKind { initial, zero_rtt, handshake, retry, version_negotiation, short_header };

// Why (part of) a datagram could not be read.
enum class QuicAnomaly {
    none,
    empty_datagram,
    fixed_bit_clear,       // a long header of v1/v2 without the fixed bit (0x40)
    truncated_header,      // the header runs past the datagram
    cid_too_long,          // a v1/v2 connection ID over 20 bytes
    length_past_datagram,  // the Length field runs past the datagram
    undecryptable,         // an Initial the server keys do not open (too short, bad tag)
    unknown_frame,         // a frame type an Initial may not carry
    truncated_frame,       // a frame runs past the packet
    crypto_out_of_range,   // CRYPTO data beyond the first 64 KiB of the stream
    bad_version_list,      // a Version Negotiation list empty or not whole 4-byte versions
    unknown_version,       // a long header of a version with no known Initial keys
    bad_retry_tag,         // a Retry whose integrity tag does not verify
};

std::string_view packet_kind_name(PacketKind kind);
std::string_view quic_anomaly_name(QuicAnomaly anomaly);

// A CONNECTION_CLOSE frame.
struct ConnectionClose {
    uint64_t error_code = 0;
    bool application = false;  // frame 0x1d (only legal in 1-RTT; a peer error in an Initial)
    uint64_t frame_type = 0;
    std::string reason;  // at most 256 bytes kept

    // The TLS alert a crypto error carries (0x0100..0x01ff), if it is one.
    std::optional<uint8_t> tls_alert() const {
        if (application || error_code < 0x100 || error_code > 0x1ff) return std::nullopt;
        return static_cast<uint8_t>(error_code - 0x100);
    }
};

// One contiguous piece of the server's CRYPTO stream.
struct CryptoChunk {
    uint64_t offset = 0;
    std::vector<uint8_t> bytes;
};

struct ServerPacket {
    PacketKind kind = PacketKind::short_header;
    uint32_t version = 0;
    std::vector<uint8_t> dcid;
    std::vector<uint8_t> scid;
    size_t bytes = 0;     // of the datagram this packet took
    bool opened = false;  // an Initial whose protection was removed
    uint64_t packet_number = 0;
};

// Everything read from one datagram.
struct ServerDatagram {
    std::vector<ServerPacket> packets;
    std::vector<uint32_t> offered_versions;  // Version Negotiation
    std::optional<ConnectionClose> close;
    bool ack = false;                         // an Initial carried an ACK frame
    std::vector<CryptoChunk> crypto;          // from opened Initials, in arrival order
    QuicAnomaly anomaly = QuicAnomaly::none;  // the first one met; reading stops there

    bool has(PacketKind kind) const;
};

// Reads one datagram from the server. `keys` are the Initial keys of the client's first
// DCID (`original_dcid`, also what a Retry tag covers).
ServerDatagram read_server_datagram(std::span<const uint8_t> datagram, const InitialKeys& keys,
                                    std::span<const uint8_t> original_dcid);

// The server's CRYPTO stream at Initial level, gathered across datagrams until its first
// message (the ServerHello) is whole; then read with the forge's reply parser.
class ServerFlight {
  public:
    // Adds the CRYPTO data of one datagram (overlaps and repeats are fine).
    void add(const ServerDatagram& datagram);

    // The first handshake message as a ServerReply: incomplete until it is whole.
    forge::ServerReply reply() const;

    // Bytes of the stream known from offset 0 on.
    size_t contiguous_bytes() const { return m_contiguous; }

  private:
    std::vector<uint8_t> m_stream;  // up to 64 KiB
    std::vector<bool> m_have;
    size_t m_contiguous = 0;
};

}  // namespace sniprobe::quic
