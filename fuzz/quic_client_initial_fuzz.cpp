// Fuzzes the middlebox's reading of a client's first datagram (quic/client_initial_reader):
// arbitrary bytes must never read out of bounds; a name is only reported for an Initial
// the client keys opened; the CRYPTO bytes counted never exceed the datagram.
#include <cstddef>
#include <cstdint>
#include <span>

#include "quic/client_initial_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace sniprobe::quic;
    const ClientInitialView view = read_client_initial(std::span<const uint8_t>(data, size));
    if (view.sni && !view.initial) __builtin_trap();
    if (view.crypto_bytes > size) __builtin_trap();
    if (view.sni && view.sni->size() > 65535) __builtin_trap();
    return 0;
}
