// Client Initial assembly: header (first byte 0xc0 | pn_length-1, version, CIDs, empty
// token, Length, packet number), plaintext (one CRYPTO frame, then PADDING up to the
// datagram size), then protection. The Length field is always two bytes so the header
// size is known before the payload is, and the padding makes the datagram exact.
#include "quic/client_initial.hpp"

#include <algorithm>

#include "quic/protection.hpp"
#include "quic/varint.hpp"

namespace sniprobe::quic {
namespace {

constexpr size_t k_length_field = 2;  // the Length varint, always 2 bytes (< 16384)

size_t header_bytes(const InitialLayout& layout) {
    return 1 + 4 + 1 + layout.dcid.size() + 1 + layout.scid.size() + 1 /* token length 0 */ +
           k_length_field + layout.pn_length;
}

}  // namespace

size_t crypto_capacity(const InitialLayout& layout, size_t crypto_offset) {
    const size_t fixed = header_bytes(layout) + k_aead_tag_bytes;
    if (layout.datagram_bytes <= fixed + 1 + 8 + 2) return 0;
    // Frame header with a 2-byte length (enough for anything under 16384).
    return layout.datagram_bytes - fixed - (1 + varint_size(crypto_offset) + 2);
}

Result<std::vector<ClientInitial>> build_client_initials(std::span<const uint8_t> handshake_message,
                                                         const InitialLayout& layout) {
    if (layout.dcid.size() < 8 || layout.dcid.size() > k_max_cid_bytes)
        return fail(ErrorCode::usage, "a client's first DCID is 8 to 20 bytes");
    if (layout.scid.size() > k_max_cid_bytes)
        return fail(ErrorCode::usage, "a connection ID is at most 20 bytes");
    if (layout.pn_length < 1 || layout.pn_length > 4)
        return fail(ErrorCode::usage, "a packet number is 1 to 4 bytes");
    if (layout.datagram_bytes < k_min_initial_datagram || layout.datagram_bytes > 16000)
        return fail(ErrorCode::usage, "an Initial datagram is 1200 to 16000 bytes");
    if (handshake_message.empty()) return fail(ErrorCode::usage, "no handshake message");
    if (layout.split_at && (*layout.split_at == 0 || *layout.split_at >= handshake_message.size()))
        return fail(ErrorCode::usage, "the split offset must fall inside the hello");
    auto keys = derive_initial_keys(layout.dcid, layout.version);
    if (!keys) return tl::unexpected(keys.error());

    std::vector<ClientInitial> out;
    size_t offset = 0;
    uint64_t pn = layout.first_packet_number;
    const size_t header_size = header_bytes(layout);
    while (offset < handshake_message.size()) {
        size_t capacity = crypto_capacity(layout, offset);
        if (capacity == 0) return fail("datagram too small for a CRYPTO frame");
        size_t chunk = std::min(capacity, handshake_message.size() - offset);
        if (layout.split_at && offset < *layout.split_at)
            chunk = std::min(chunk, *layout.split_at - offset);

        // Plaintext: CRYPTO frame, then PADDING to fill the datagram.
        const size_t payload_bytes = layout.datagram_bytes - header_size - k_aead_tag_bytes;
        std::vector<uint8_t> plain(payload_bytes, 0x00);
        size_t at = 0;
        plain[at++] = 0x06;
        at += put_varint(plain.data() + at, offset);
        at += put_varint(plain.data() + at, chunk, 2);
        std::copy_n(handshake_message.begin() + static_cast<std::ptrdiff_t>(offset), chunk,
                    plain.begin() + static_cast<std::ptrdiff_t>(at));

        std::vector<uint8_t> header;
        header.reserve(header_size);
        header.push_back(static_cast<uint8_t>(0xc0 | (layout.pn_length - 1)));
        for (int shift = 24; shift >= 0; shift -= 8)
            header.push_back(static_cast<uint8_t>(layout.version >> shift));
        header.push_back(static_cast<uint8_t>(layout.dcid.size()));
        header.insert(header.end(), layout.dcid.begin(), layout.dcid.end());
        header.push_back(static_cast<uint8_t>(layout.scid.size()));
        header.insert(header.end(), layout.scid.begin(), layout.scid.end());
        header.push_back(0x00);  // token length
        const size_t length = layout.pn_length + payload_bytes + k_aead_tag_bytes;
        header.resize(header.size() + k_length_field);
        put_varint(header.data() + header.size() - k_length_field, length, k_length_field);
        for (size_t i = layout.pn_length; i > 0; --i)
            header.push_back(static_cast<uint8_t>(pn >> (8 * (i - 1))));

        auto packet = protect_long_packet(keys->client, header, layout.pn_length, pn, plain);
        if (!packet) return tl::unexpected(packet.error());
        out.push_back(ClientInitial{std::move(*packet), offset, chunk});
        offset += chunk;
        ++pn;
    }
    return out;
}

}  // namespace sniprobe::quic
