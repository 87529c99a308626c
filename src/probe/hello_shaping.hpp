// How our ClientHello bytes go on the wire. DPI boxes differ in what they reassemble:
// some read only the first TCP segment, some reassemble TCP but not TLS records (the GFW
// since 2024), some neither. Splitting *inside* the server name defeats a box that does
// not reassemble, because neither piece holds the whole name. Record splitting keeps the
// handshake bytes identical (the transcript hash still matches) and only re-frames them:
// two TLS records of type handshake, same legacy version, lengths adjusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sniprobe {

// How to put the ClientHello on the wire.
enum class HelloShape {
    whole,         // one write, as a browser does
    split_tcp,     // two writes (TCP segments), split inside the SNI
    split_record,  // one write holding two TLS records, split inside the SNI
};

// The bytes to send, one element per send() (each becomes its own TCP segment with
// TCP_NODELAY as long as it fits one MSS).
struct ShapedHello {
    std::vector<std::vector<uint8_t>> writes;
    size_t split_offset = 0;  // where the split fell, in the original stream (0 = none)
};

// Shapes `stream` (the client's first flight: one or more TLS records). Splits fall in
// the middle of the first server name, or mid-hello when there is none; input that is
// not a parseable ClientHello is passed through whole.
ShapedHello shape_client_hello(std::span<const uint8_t> stream, HelloShape shape);

}  // namespace sniprobe
