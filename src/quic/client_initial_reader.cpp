// The client-side reading: the DCID gives the keys; the server-datagram reader opens the
// packet when handed the client's keys in place of the server's; the CRYPTO bytes at
// offset 0 are wrapped in a TLS record header (as if the hello had arrived over TCP and
// been cut short) for the wire parser's quick_sni, which reads a name from a prefix.
#include "quic/client_initial_reader.hpp"

#include <vector>

#include "quic/client_initial.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe::quic {

ClientInitialView read_client_initial(std::span<const uint8_t> datagram) {
    ClientInitialView view;
    // Long header, fixed bit, version, DCID length and DCID.
    if (datagram.size() < 7 || (datagram[0] & 0xc0) != 0xc0) return view;
    view.version = (uint32_t{datagram[1]} << 24) | (uint32_t{datagram[2]} << 16) |
                   (uint32_t{datagram[3]} << 8) | datagram[4];
    const size_t dcid_len = datagram[5];
    if (!has_initial_keys(view.version) || dcid_len > k_max_cid_bytes ||
        6 + dcid_len > datagram.size())
        return view;
    const auto dcid = datagram.subspan(6, dcid_len);
    auto keys = derive_initial_keys(dcid, view.version);
    if (!keys) return view;
    InitialKeys as_client = *keys;
    as_client.server = keys->client;
    const ServerDatagram d = read_server_datagram(datagram, as_client, dcid);
    view.anomaly = d.anomaly;
    view.initial = !d.packets.empty() && d.packets.front().kind == PacketKind::initial &&
                   d.packets.front().opened;
    std::vector<uint8_t> hello;
    for (const CryptoChunk& c : d.crypto)
        if (c.offset == 0 && c.bytes.size() > hello.size()) hello = c.bytes;
    view.crypto_bytes = hello.size();
    if (hello.size() < 4) return view;
    const size_t message = 4 + ((size_t{hello[1]} << 16) | (size_t{hello[2]} << 8) | hello[3]);
    if (message > 0xffff) return view;
    std::vector<uint8_t> record{0x16, 0x03, 0x01, static_cast<uint8_t>(message >> 8),
                                static_cast<uint8_t>(message & 0xff)};
    record.insert(record.end(), hello.begin(), hello.end());
    view.sni = wire::quick_sni(record);
    // Like the name, ECH counts when its header is in this datagram: the hello may go on
    // in the next Initial.
    for (uint16_t type : wire::quick_extension_types(record)) view.ech = view.ech || type == 0xfe0d;
    return view;
}

}  // namespace sniprobe::quic
