// libpcap reads through a stdio FILE; zlib's gzread sits under it through fopencookie, so
// one path serves plain and gzip files and pipes alike (gzread passes plain bytes through
// untouched). libpcap owns the FILE once pcap_fopen_offline accepts it and closes it
// (and with it the gzFile) in pcap_close.
#include "offline/capture_reader.hpp"

#include <pcap/pcap.h>
#include <zlib.h>

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sniprobe::offline {
namespace {

constexpr unsigned k_gz_buffer_bytes = 1U << 17;

struct Cookie {
    gzFile gz = nullptr;
};

ssize_t cookie_read(void* c, char* buf, size_t size) {
    auto* cookie = static_cast<Cookie*>(c);
    const unsigned want = size > (1U << 30) ? (1U << 30) : static_cast<unsigned>(size);
    const int n = gzread(cookie->gz, buf, want);
    if (n < 0) {
        errno = EIO;
        return -1;
    }
    return n;
}

int cookie_close(void* c) {
    auto* cookie = static_cast<Cookie*>(c);
    const int rc = gzclose(cookie->gz);
    delete cookie;
    return rc == Z_OK ? 0 : EOF;
}

}  // namespace

struct CaptureReader::Impl {
    pcap_t* handle = nullptr;
    gzFile gz = nullptr;  // owned by the FILE, which libpcap owns
    ~Impl() {
        if (handle != nullptr) pcap_close(handle);
    }
};

CaptureReader::CaptureReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
CaptureReader::CaptureReader(CaptureReader&&) noexcept = default;
CaptureReader& CaptureReader::operator=(CaptureReader&&) noexcept = default;
CaptureReader::~CaptureReader() = default;

Result<CaptureReader> CaptureReader::open(const std::string& path) {
    const bool is_stdin = path == "-";
    const int fd = is_stdin ? ::dup(STDIN_FILENO) : -1;
    gzFile gz = is_stdin ? gzdopen(fd, "rb") : gzopen(path.c_str(), "rb");
    if (gz == nullptr) {
        const int saved = errno;
        if (fd >= 0) ::close(fd);
        return fail(saved == ENOENT ? ErrorCode::not_found : ErrorCode::io,
                    "cannot open " + path + ": " + std::strerror(saved != 0 ? saved : EIO));
    }
    gzbuffer(gz, k_gz_buffer_bytes);
    auto* cookie = new Cookie{gz};
    cookie_io_functions_t io{};
    io.read = cookie_read;
    io.close = cookie_close;
    FILE* file = fopencookie(cookie, "rb", io);
    if (file == nullptr) {
        cookie_close(cookie);
        return fail(ErrorCode::io, "cannot open " + path + ": " + std::strerror(errno));
    }
    setvbuf(file, nullptr, _IOFBF, k_gz_buffer_bytes);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle =
        pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (handle == nullptr) {
        std::fclose(file);
        return fail(ErrorCode::parse,
                    path + " is not a pcap or pcapng capture (" + std::string(errbuf) + ")");
    }
    auto impl = std::make_unique<Impl>();
    impl->handle = handle;
    impl->gz = gz;
    return CaptureReader(std::move(impl));
}

ReadEnd CaptureReader::next(Frame& frame) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(m_impl->handle, &header, &data);
    if (rc == 1) {
        frame.number = ++m_frame_number;
        frame.ts_unix =
            static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
        frame.wire_len = header->len;
        frame.bytes = {data, header->caplen};
        return ReadEnd::more;
    }
    if (rc == PCAP_ERROR_BREAK) return ReadEnd::end_of_file;
    m_error = pcap_geterr(m_impl->handle);
    // libpcap says "truncated dump file" (pcap) or "truncated pcapng dump file".
    return m_error.find("truncated") != std::string::npos ? ReadEnd::truncated_file
                                                          : ReadEnd::read_error;
}

int CaptureReader::link_type() const {
    return pcap_datalink(m_impl->handle);
}

uint64_t CaptureReader::bytes_read() const {
    return static_cast<uint64_t>(gzoffset(m_impl->gz));
}

}  // namespace sniprobe::offline
