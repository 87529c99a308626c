// The server-datagram reader: a loop over coalesced packets (RFC 9000 §12.2), each long
// header read field by field with bounds checks, Initials opened and their frames walked
// (RFC 9000 §19 for the frame layouts; §17.2.2 for which frames an Initial may carry).
#include "quic/server_datagram.hpp"

#include <algorithm>

#include "quic/client_initial.hpp"
#include "quic/protection.hpp"
#include "quic/varint.hpp"

namespace sniprobe::quic {
namespace {

constexpr size_t k_max_crypto_stream = 64 * 1024;
constexpr size_t k_max_reason = 256;
constexpr size_t k_max_tls_record = (1u << 14) + 2048;

// RFC 9001 §5.8 (v1) and RFC 9369 §3.3.3 (v2) Retry integrity keys.
constexpr std::array<uint8_t, 16> k_retry_key_v1{0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a,
                                                 0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e};
constexpr std::array<uint8_t, 12> k_retry_nonce_v1{0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63,
                                                   0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb};
constexpr std::array<uint8_t, 16> k_retry_key_v2{0x8f, 0xb4, 0xb0, 0x1b, 0x56, 0xac, 0x48, 0xe2,
                                                 0x60, 0xfb, 0xcb, 0xce, 0xad, 0x7c, 0xcc, 0x92};
constexpr std::array<uint8_t, 12> k_retry_nonce_v2{0xd8, 0x69, 0x69, 0xbc, 0x2d, 0x7c,
                                                   0x6d, 0x99, 0x90, 0xef, 0xb0, 0x4a};

PacketKind long_kind(uint32_t version, uint8_t first) {
    unsigned bits = (first >> 4) & 0x03;
    if (version == k_version_2) bits = (bits + 3) & 0x03;  // v2: 1 Initial, 2 0-RTT, 3 HS, 0 Retry
    switch (bits) {
        case 0:
            return PacketKind::initial;
        case 1:
            return PacketKind::zero_rtt;
        case 2:
            return PacketKind::handshake;
        default:
            return PacketKind::retry;
    }
}

bool retry_tag_ok(std::span<const uint8_t> retry, uint32_t version,
                  std::span<const uint8_t> original_dcid) {
    if (retry.size() < 16 || original_dcid.size() > 255) return false;
    std::vector<uint8_t> pseudo{static_cast<uint8_t>(original_dcid.size())};
    pseudo.insert(pseudo.end(), original_dcid.begin(), original_dcid.end());
    pseudo.insert(pseudo.end(), retry.begin(), retry.end() - 16);
    const bool v2 = version == k_version_2;
    auto tag = gcm_seal(v2 ? k_retry_key_v2 : k_retry_key_v1,
                        v2 ? k_retry_nonce_v2 : k_retry_nonce_v1, pseudo, {});
    return tag && std::equal(tag->begin(), tag->end(), retry.end() - 16);
}

// Walks the frames of an opened Initial into `out`; returns the first anomaly.
QuicAnomaly read_initial_frames(std::span<const uint8_t> p, ServerDatagram& out) {
    size_t at = 0;
    while (at < p.size()) {
        auto type = read_varint(p, at);
        if (!type) return QuicAnomaly::truncated_frame;
        switch (*type) {
            case 0x00:  // PADDING
            case 0x01:  // PING
                break;
            case 0x02:
            case 0x03: {  // ACK: largest, delay, range count, first range, ranges, [ECN]
                std::optional<uint64_t> v[4];
                for (auto& f : v)
                    if (!(f = read_varint(p, at))) return QuicAnomaly::truncated_frame;
                // Each range is two varints of at least one byte: the count is bounded by the
                // bytes left, so a huge count ends in truncated_frame, not a long loop.
                if (*v[2] > (p.size() - at) / 2) return QuicAnomaly::truncated_frame;
                for (uint64_t i = 0; i < *v[2] * 2; ++i)
                    if (!read_varint(p, at)) return QuicAnomaly::truncated_frame;
                if (*type == 0x03)
                    for (int i = 0; i < 3; ++i)
                        if (!read_varint(p, at)) return QuicAnomaly::truncated_frame;
                out.ack = true;
                break;
            }
            case 0x06: {  // CRYPTO: offset, length, data
                auto offset = read_varint(p, at);
                auto length = offset ? read_varint(p, at) : std::nullopt;
                if (!length) return QuicAnomaly::truncated_frame;
                if (*offset > k_max_crypto_stream || *length > k_max_crypto_stream - *offset)
                    return QuicAnomaly::crypto_out_of_range;
                if (*length > p.size() - at) return QuicAnomaly::truncated_frame;
                const auto begin = p.begin() + static_cast<std::ptrdiff_t>(at);
                out.crypto.push_back(CryptoChunk{
                    *offset,
                    std::vector<uint8_t>(begin, begin + static_cast<std::ptrdiff_t>(*length))});
                at += *length;
                break;
            }
            case 0x1c:
            case 0x1d: {  // CONNECTION_CLOSE: error, [frame type], reason length, reason
                ConnectionClose close;
                close.application = *type == 0x1d;
                auto error = read_varint(p, at);
                if (!error) return QuicAnomaly::truncated_frame;
                close.error_code = *error;
                if (!close.application) {
                    auto frame = read_varint(p, at);
                    if (!frame) return QuicAnomaly::truncated_frame;
                    close.frame_type = *frame;
                }
                auto reason = read_varint(p, at);
                if (!reason || *reason > p.size() - at) return QuicAnomaly::truncated_frame;
                const auto begin = p.begin() + static_cast<std::ptrdiff_t>(at);
                close.reason.assign(begin, begin + static_cast<std::ptrdiff_t>(
                                                       std::min<uint64_t>(*reason, k_max_reason)));
                at += *reason;
                if (!out.close) out.close = std::move(close);
                break;
            }
            default:
                return QuicAnomaly::unknown_frame;
        }
    }
    return QuicAnomaly::none;
}

// Reads one long-header packet at the start of `d`; `taken` is set to its size.
QuicAnomaly read_long_packet(std::span<const uint8_t> d, const InitialKeys& keys,
                             std::span<const uint8_t> original_dcid, ServerDatagram& out,
                             size_t& taken) {
    taken = d.size();
    ServerPacket packet;
    if (d.size() < 7) return QuicAnomaly::truncated_header;
    packet.version = (uint32_t{d[1]} << 24) | (uint32_t{d[2]} << 16) | (uint32_t{d[3]} << 8) | d[4];
    size_t at = 5;
    // Connection IDs: a length byte each (up to 255 in a VN packet of an unknown version).
    for (auto* cid : {&packet.dcid, &packet.scid}) {
        if (at >= d.size()) return QuicAnomaly::truncated_header;
        const size_t len = d[at++];
        if (len > d.size() - at) return QuicAnomaly::truncated_header;
        cid->assign(d.begin() + static_cast<std::ptrdiff_t>(at),
                    d.begin() + static_cast<std::ptrdiff_t>(at + len));
        at += len;
    }
    if (packet.version == 0) {
        packet.kind = PacketKind::version_negotiation;
        packet.bytes = d.size();
        out.packets.push_back(packet);
        const size_t list = d.size() - at;
        if (list == 0 || list % 4 != 0) return QuicAnomaly::bad_version_list;
        for (; at < d.size(); at += 4)
            out.offered_versions.push_back((uint32_t{d[at]} << 24) | (uint32_t{d[at + 1]} << 16) |
                                           (uint32_t{d[at + 2]} << 8) | d[at + 3]);
        return QuicAnomaly::none;
    }
    if (!has_initial_keys(packet.version)) return QuicAnomaly::unknown_version;
    if ((d[0] & 0x40) == 0) return QuicAnomaly::fixed_bit_clear;
    if (packet.dcid.size() > k_max_cid_bytes || packet.scid.size() > k_max_cid_bytes)
        return QuicAnomaly::cid_too_long;
    packet.kind = long_kind(packet.version, d[0]);
    if (packet.kind == PacketKind::retry) {
        packet.bytes = d.size();
        out.packets.push_back(packet);
        return retry_tag_ok(d, packet.version, original_dcid) ? QuicAnomaly::none
                                                              : QuicAnomaly::bad_retry_tag;
    }
    if (packet.kind == PacketKind::initial) {
        auto token = read_varint(d, at);
        if (!token || *token > d.size() - at) return QuicAnomaly::truncated_header;
        at += *token;
    }
    auto length = read_varint(d, at);
    if (!length) return QuicAnomaly::truncated_header;
    if (*length > d.size() - at) return QuicAnomaly::length_past_datagram;
    taken = at + *length;
    packet.bytes = taken;
    if (packet.kind != PacketKind::initial) {
        out.packets.push_back(packet);
        return QuicAnomaly::none;
    }
    if (packet.version != keys.version) {
        out.packets.push_back(packet);
        return QuicAnomaly::undecryptable;
    }
    auto opened = open_long_packet(keys.server, d.first(taken), at);
    if (!opened) {
        out.packets.push_back(packet);
        return QuicAnomaly::undecryptable;
    }
    packet.opened = true;
    packet.packet_number = opened->packet_number;
    out.packets.push_back(packet);
    return read_initial_frames(opened->plaintext, out);
}

}  // namespace

std::string_view packet_kind_name(PacketKind kind) {
    switch (kind) {
        case PacketKind::initial:
            return "initial";
        case PacketKind::zero_rtt:
            return "0rtt";
        case PacketKind::handshake:
            return "handshake";
        case PacketKind::retry:
            return "retry";
        case PacketKind::version_negotiation:
            return "version_negotiation";
        case PacketKind::short_header:
            return "short_header";
    }
    return "unknown";
}

std::string_view quic_anomaly_name(QuicAnomaly a) {
    switch (a) {
        case QuicAnomaly::none:
            return "none";
        case QuicAnomaly::empty_datagram:
            return "empty_datagram";
        case QuicAnomaly::fixed_bit_clear:
            return "fixed_bit_clear";
        case QuicAnomaly::truncated_header:
            return "truncated_header";
        case QuicAnomaly::cid_too_long:
            return "cid_too_long";
        case QuicAnomaly::length_past_datagram:
            return "length_past_datagram";
        case QuicAnomaly::undecryptable:
            return "undecryptable";
        case QuicAnomaly::unknown_frame:
            return "unknown_frame";
        case QuicAnomaly::truncated_frame:
            return "truncated_frame";
        case QuicAnomaly::crypto_out_of_range:
            return "crypto_out_of_range";
        case QuicAnomaly::bad_version_list:
            return "bad_version_list";
        case QuicAnomaly::unknown_version:
            return "unknown_version";
        case QuicAnomaly::bad_retry_tag:
            return "bad_retry_tag";
    }
    return "unknown";
}

bool ServerDatagram::has(PacketKind kind) const {
    return std::any_of(packets.begin(), packets.end(),
                       [kind](const ServerPacket& p) { return p.kind == kind; });
}

ServerDatagram read_server_datagram(std::span<const uint8_t> datagram, const InitialKeys& keys,
                                    std::span<const uint8_t> original_dcid) {
    ServerDatagram out;
    if (datagram.empty()) {
        out.anomaly = QuicAnomaly::empty_datagram;
        return out;
    }
    size_t at = 0;
    // Coalesced packets (RFC 9000 §12.2); each takes at least 7 bytes, so this ends.
    while (at < datagram.size() && out.anomaly == QuicAnomaly::none) {
        auto rest = datagram.subspan(at);
        if ((rest[0] & 0x80) == 0) {
            // A short header runs to the end of the datagram; 1-RTT keys are not ours.
            ServerPacket packet;
            packet.kind = PacketKind::short_header;
            packet.bytes = rest.size();
            out.packets.push_back(packet);
            break;
        }
        size_t taken = 0;
        out.anomaly = read_long_packet(rest, keys, original_dcid, out, taken);
        at += std::max<size_t>(taken, 1);
    }
    return out;
}

void ServerFlight::add(const ServerDatagram& datagram) {
    for (const CryptoChunk& chunk : datagram.crypto) {
        const size_t end = chunk.offset + chunk.bytes.size();
        if (end > k_max_crypto_stream) continue;
        if (end > m_stream.size()) {
            m_stream.resize(end);
            m_have.resize(end, false);
        }
        std::copy(chunk.bytes.begin(), chunk.bytes.end(),
                  m_stream.begin() + static_cast<std::ptrdiff_t>(chunk.offset));
        std::fill(m_have.begin() + static_cast<std::ptrdiff_t>(chunk.offset),
                  m_have.begin() + static_cast<std::ptrdiff_t>(end), true);
    }
    while (m_contiguous < m_have.size() && m_have[m_contiguous]) ++m_contiguous;
}

forge::ServerReply ServerFlight::reply() const {
    if (m_contiguous < 4) return {};
    const size_t message =
        4 + ((size_t{m_stream[1]} << 16) | (size_t{m_stream[2]} << 8) | m_stream[3]);
    // A ServerHello is never near a TLS record's limit; wrap only what fits one record.
    size_t wrap = m_stream[0] == 2 ? message : 4;
    if (wrap > k_max_tls_record) {
        forge::ServerReply r;
        r.kind = forge::ReplyKind::anomaly;
        r.anomaly = forge::ReplyAnomaly::record_too_long;
        return r;
    }
    if (wrap > m_contiguous) return {};
    std::vector<uint8_t> record{22, 0x03, 0x03, static_cast<uint8_t>(wrap >> 8),
                                static_cast<uint8_t>(wrap & 0xff)};
    record.insert(record.end(), m_stream.begin(),
                  m_stream.begin() + static_cast<std::ptrdiff_t>(wrap));
    return forge::parse_server_reply(record);
}

}  // namespace sniprobe::quic
