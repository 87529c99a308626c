// Reads a capture file frame by frame, streaming: pcap or pcapng (libpcap decides), plain
// or gzip-compressed (zlib reads both, so the format is sniffed, not guessed from the
// name), or standard input for "-". Nothing but the current frame is held in memory.
// A file libpcap refuses is an error; a file that breaks off mid-frame is a named
// anomaly after the frames before the break, never a crash.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "util/result.hpp"

namespace sniprobe::offline {

// One frame: valid until the next call to next().
struct Frame {
    uint64_t number = 0;  // 1-based, as Wireshark numbers frames
    double ts_unix = 0;
    uint32_t wire_len = 0;
    std::span<const uint8_t> bytes;  // captured bytes (at most the snap length)
};

// Why reading stopped.
enum class ReadEnd { more, end_of_file, truncated_file, read_error };

class CaptureReader {
  public:
    // Opens `path` ("-" = standard input). Fails for a missing file or one libpcap does
    // not recognise as a capture.
    static Result<CaptureReader> open(const std::string& path);
    // The next frame into `frame`; ReadEnd::more when one was read.
    ReadEnd next(Frame& frame);
    // libpcap's link type (DLT_*) of every frame in the file.
    int link_type() const;
    // libpcap's words for the last read error (truncation included).
    const std::string& error() const { return m_error; }
    // Compressed or plain bytes consumed so far (what the file is on disk).
    uint64_t bytes_read() const;

    CaptureReader(CaptureReader&&) noexcept;
    CaptureReader& operator=(CaptureReader&&) noexcept;
    ~CaptureReader();

  private:
    struct Impl;
    explicit CaptureReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
    std::string m_error;
    uint64_t m_frame_number = 0;
};

}  // namespace sniprobe::offline
