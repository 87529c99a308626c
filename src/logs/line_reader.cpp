// LineReader over zlib's gz* API. The quirk: gzread reports a truncated gzip member only
// at its end (Z_BUF_ERROR, "unexpected end of file") after handing out the data before
// it, so the lines up to the damage are still counted and the error is kept for the end.
#include "logs/line_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace sniprobe::logs {
namespace {

constexpr std::size_t k_buffer_bytes = 256 * 1024;

}  // namespace

void LineReader::GzClose::operator()(gzFile_s* file) const {
    gzclose_r(file);
}

LineReader::LineReader(gzFile_s* file, std::string name)
    : m_file(file), m_name(std::move(name)), m_buffer(k_buffer_bytes) {
    gzbuffer(file, 128 * 1024);
}

LineReader::LineReader(LineReader&&) noexcept = default;
LineReader& LineReader::operator=(LineReader&&) noexcept = default;
LineReader::~LineReader() = default;

Result<LineReader> LineReader::open(const std::string& path) {
    if (path == "-") {
        int fd = ::dup(STDIN_FILENO);
        if (fd < 0) return fail("cannot read stdin: " + std::string(std::strerror(errno)));
        gzFile file = gzdopen(fd, "rb");
        if (file == nullptr) {
            ::close(fd);
            return fail("cannot read stdin");
        }
        return LineReader(file, path);
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("cannot read " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        return fail("cannot read " + path + ": it is a directory; give the log files inside it");
    }
    gzFile file = gzdopen(fd, "rb");
    if (file == nullptr) {
        ::close(fd);
        return fail("cannot read " + path + ": out of memory");
    }
    return LineReader(file, path);
}

Result<LineReader> LineReader::from_fd(int fd, std::string name) {
    int own = ::dup(fd);
    if (own < 0) return fail("cannot read " + name + ": " + std::strerror(errno));
    gzFile file = gzdopen(own, "rb");
    if (file == nullptr) {
        ::close(own);
        return fail("cannot read " + name);
    }
    return LineReader(file, std::move(name));
}

// Moves the unread bytes to the front and reads more; false at the end or on error.
bool LineReader::fill() {
    if (m_eof) return false;
    if (m_begin > 0) {
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
    }
    int n = gzread(m_file.get(), m_buffer.data() + m_end,
                   static_cast<unsigned>(m_buffer.size() - m_end));
    if (!m_checked_compression) {
        m_compressed = gzdirect(m_file.get()) == 0;
        m_checked_compression = true;
    }
    if (n > 0) {
        m_end += static_cast<std::size_t>(n);
        return true;
    }
    m_eof = true;
    int errnum = Z_OK;
    const char* message = gzerror(m_file.get(), &errnum);
    if (n < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
        std::string what =
            errnum == Z_ERRNO ? std::strerror(errno) : (message ? message : "read error");
        if (what.starts_with("<fd:"))
            what.erase(0, std::min(what.size(), what.find(": ") + 2));  // zlib's own prefix
        m_error = m_name + ": " + what + (m_compressed ? " (damaged or truncated gzip)" : "");
    }
    return false;
}

std::optional<Line> LineReader::next() {
    for (;;) {
        const char* start = m_buffer.data() + m_begin;
        std::size_t avail = m_end - m_begin;
        const void* nl = avail > 0 ? std::memchr(start, '\n', avail) : nullptr;
        if (m_skipping) {
            if (nl != nullptr) {
                m_begin += static_cast<std::size_t>(static_cast<const char*>(nl) - start) + 1;
                m_skipping = false;
                continue;
            }
            m_begin = m_end;
            if (!fill()) return std::nullopt;
            continue;
        }
        if (nl != nullptr) {
            std::size_t len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
            m_begin += len + 1;
            if (len > k_max_line_bytes) {
                return Line{std::string_view(start, k_max_line_bytes), true};
            }
            if (len > 0 && start[len - 1] == '\r') --len;
            return Line{std::string_view(start, len), false};
        }
        if (avail >= k_max_line_bytes) {
            m_begin += k_max_line_bytes;
            m_skipping = true;
            return Line{std::string_view(start, k_max_line_bytes), true};
        }
        if (!fill()) {
            if (m_end > m_begin) {                  // the last line has no newline
                start = m_buffer.data() + m_begin;  // fill() may have moved the bytes
                std::size_t len = m_end - m_begin;
                m_begin = m_end;
                if (len > 0 && start[len - 1] == '\r') --len;
                return Line{std::string_view(start, len), false};
            }
            return std::nullopt;
        }
    }
}

}  // namespace sniprobe::logs
