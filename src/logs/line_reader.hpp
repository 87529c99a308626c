// Streams lines out of a log file, a rotated `.gz`, or stdin ("-") in a fixed-size buffer,
// so a multi-gigabyte log costs the same memory as a small one. Every input goes through
// zlib's gzread, which passes plain text through unchanged ("transparent" mode): rotated
// logs need no flag, stdin may be compressed too, and concatenated gzip members (what
// `cat a.gz b.gz` makes) are read in one stream. A line longer than the limit is cut and
// flagged (nginx writes at most about 2 KiB per entry, so such a line is not nginx's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

struct gzFile_s;

namespace sniprobe::logs {

// Longest line kept whole; the rest of a longer line is skipped.
inline constexpr std::size_t k_max_line_bytes = 16 * 1024;

// One line: its text (no newline, no trailing CR) and whether it was cut.
struct Line {
    std::string_view text;
    bool truncated = false;
};

class LineReader {
  public:
    // Opens a path, or stdin for "-"; fails with a message that names the path.
    static Result<LineReader> open(const std::string& path);
    // Reads from a descriptor the reader does not own (tests, pipes).
    static Result<LineReader> from_fd(int fd, std::string name);

    LineReader(LineReader&&) noexcept;
    LineReader& operator=(LineReader&&) noexcept;
    ~LineReader();

    // The next line, valid until the next call; nullopt at the end or after an error.
    std::optional<Line> next();
    // Set when reading stopped early (a truncated or corrupt .gz, an I/O error).
    const std::optional<std::string>& error() const { return m_error; }
    // True when the input was gzip-compressed.
    bool compressed() const { return m_compressed; }
    // The name given at open ("-" for stdin).
    const std::string& name() const { return m_name; }

  private:
    struct GzClose {
        void operator()(gzFile_s* file) const;
    };
    LineReader(gzFile_s* file, std::string name);
    bool fill();

    std::unique_ptr<gzFile_s, GzClose> m_file;
    std::string m_name;
    std::vector<char> m_buffer;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    bool m_eof = false;
    bool m_skipping = false;  // inside the rest of a cut line
    bool m_compressed = false;
    bool m_checked_compression = false;
    std::optional<std::string> m_error;
};

}  // namespace sniprobe::logs
