// Fuzzes the QUIC server-datagram reader with arbitrary datagrams: it must never read out
// of bounds; packets it lists never claim more bytes than the datagram has; versions are
// offered only by a Version Negotiation packet; CRYPTO data stays inside the 64 KiB it
// keeps; and the flight built from the datagram reads without crashing. The first bytes
// of the input may also be taken as the client's DCID, so Initials sealed for the fixed
// test DCID and for fuzz-chosen ones both reach the frame walker.
#include <cstddef>
#include <cstdint>
#include <span>

#include "quic/initial_keys.hpp"
#include "quic/server_datagram.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sniprobe::quic;
    static const uint8_t k_dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
    static const InitialKeys k_keys = *derive_initial_keys(k_dcid);
    std::span<const uint8_t> input(data, size);
    ServerDatagram d = read_server_datagram(input, k_keys, k_dcid);
    size_t claimed = 0;
    for (const ServerPacket& p : d.packets) {
        if (p.bytes > size) __builtin_trap();
        claimed += p.bytes;
        if (p.opened && p.kind != PacketKind::initial) __builtin_trap();
    }
    if (claimed > size) __builtin_trap();
    if (!d.offered_versions.empty() && !d.has(PacketKind::version_negotiation)) __builtin_trap();
    for (const CryptoChunk& c : d.crypto)
        if (c.offset + c.bytes.size() > 64 * 1024) __builtin_trap();
    if (size == 0 && d.anomaly != QuicAnomaly::empty_datagram) __builtin_trap();
    ServerFlight flight;
    flight.add(d);
    flight.add(d);
    (void)flight.reply();
    return 0;
}
