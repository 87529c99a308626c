// LineReader: plain and gzip inputs read alike, concatenated members, a truncated .gz
// reported after its readable lines, cut overlong lines, CR LF, no final newline; and the
// streaming promise: ~200 MB through a pipe (as `-` reads stdin) without memory growth.
#include "logs/line_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "logs/aggregate.hpp"
#include "logs/read_logs.hpp"
#include "support/temp.hpp"

// Under ASan (the build `make test` runs unit tests in) freed memory waits in a 256 MiB
// quarantine, so the peak RSS below would measure the sanitizer, not the reader. A 1 MiB
// quarantine still catches a use right after a free, and keeps the bound meaningful.
#if defined(__SANITIZE_ADDRESS__)
#define SNIPROBE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SNIPROBE_TEST_ASAN 1
#endif
#endif
#ifdef SNIPROBE_TEST_ASAN
extern "C" const char* __asan_default_options() {  // NOLINT: the runtime looks it up by name
    return "quarantine_size_mb=1:thread_local_quarantine_size_kb=64";
}
#endif

namespace sniprobe::logs {
namespace {

namespace fs = std::filesystem;

class TempDir {
  public:
    fs::path path(const std::string& name) const { return m_dir.path() / name; }

  private:
    test::TempDir m_dir{"sniprobe-logs-test"};
};

void write_gz(const fs::path& path, const std::string& text, const char* mode = "wb") {
    gzFile f = gzopen(path.c_str(), mode);
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())),
              static_cast<int>(text.size()));
    gzclose(f);
}

std::vector<std::string> all_lines(LineReader& reader) {
    std::vector<std::string> out;
    while (auto line = reader.next()) out.emplace_back(line->text);
    return out;
}

std::string seed_text() {
    std::ifstream in(std::string(SNIPROBE_TEST_DATA) + "/nginx/seed_error.log", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(LineReader, GzipAndPlainGiveTheSameSummary) {
    TempDir dir;
    write_gz(dir.path("error.log.1.gz"), seed_text());
    auto plain = read_logs({std::string(SNIPROBE_TEST_DATA) + "/nginx/seed_error.log"}, {});
    auto gz = read_logs({dir.path("error.log.1.gz").string()}, {});
    ASSERT_TRUE(plain && gz);
    EXPECT_EQ(gz->lines, plain->lines);
    EXPECT_EQ(gz->classes, plain->classes);
    EXPECT_TRUE(gz->inputs[0].compressed);
    EXPECT_FALSE(plain->inputs[0].compressed);
    EXPECT_FALSE(gz->inputs[0].error.has_value());
}

TEST(LineReader, ConcatenatedMembersAndRotatedSetAddUp) {
    TempDir dir;
    write_gz(dir.path("two.gz"), "a\nb\n");
    write_gz(dir.path("two.gz"), "c\n", "ab");  // a second gzip member
    auto reader = LineReader::open(dir.path("two.gz").string());
    ASSERT_TRUE(reader);
    EXPECT_EQ(all_lines(*reader), (std::vector<std::string>{"a", "b", "c"}));
    auto both = read_logs(
        {std::string(SNIPROBE_TEST_DATA) + "/nginx/seed_error.log", dir.path("two.gz").string()},
        {});
    ASSERT_TRUE(both);
    EXPECT_EQ(both->lines, 51u);
    EXPECT_EQ(both->inputs.size(), 2u);
}

TEST(LineReader, TruncatedGzipKeepsItsLinesAndReportsTheDamage) {
    TempDir dir;
    std::string text;
    for (int i = 0; i < 20000; ++i)
        text += "line " + std::to_string(i) + " with some words to compress\n";
    write_gz(dir.path("cut.gz"), text);
    fs::resize_file(dir.path("cut.gz"), fs::file_size(dir.path("cut.gz")) / 2);
    auto reader = LineReader::open(dir.path("cut.gz").string());
    ASSERT_TRUE(reader);
    auto lines = all_lines(*reader);
    EXPECT_GT(lines.size(), 100u);
    EXPECT_LT(lines.size(), 20000u);
    ASSERT_TRUE(reader->error().has_value());
    EXPECT_NE(reader->error()->find("cut.gz"), std::string::npos) << *reader->error();
}

TEST(LineReader, CutsOverlongLinesAndHandlesLineEnds) {
    TempDir dir;
    std::ofstream(dir.path("odd.log"), std::ios::binary)
        << "first\r\n"
        << std::string(k_max_line_bytes * 3, 'x') << "\nafter\n\nlast";
    auto reader = LineReader::open(dir.path("odd.log").string());
    ASSERT_TRUE(reader);
    auto first = reader->next();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->text, "first");
    auto cut = reader->next();
    ASSERT_TRUE(cut);
    EXPECT_TRUE(cut->truncated);
    EXPECT_EQ(cut->text.size(), k_max_line_bytes);
    std::vector<std::string> rest = all_lines(*reader);
    EXPECT_EQ(rest, (std::vector<std::string>{"after", "", "last"}));
}

TEST(LineReader, MissingFileAndDirectoryFailWithTheirName) {
    auto missing = LineReader::open("/nonexistent/error.log");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("/nonexistent/error.log"), std::string::npos);
    auto dir = LineReader::open("/tmp");
    ASSERT_FALSE(dir);
    EXPECT_NE(dir.error().message.find("directory"), std::string::npos);
    EXPECT_FALSE(
        read_logs({std::string(SNIPROBE_TEST_DATA) + "/nginx/seed_error.log", "/nonexistent"}, {}));
}

long status_kib(const char* field) {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::string(field).size());
    }
    return -1;
}

// ~200 MB of log lines from many clients through a pipe: the peak resident set grows by
// less than 64 MiB (the reader's buffer, the bounded client table and buckets).
TEST(LineReader, StreamsTwoHundredMegabytesInConstantMemory) {
    constexpr std::size_t k_target_bytes = 200u << 20;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const long rss_before_kib = status_kib("VmRSS:");
    std::size_t written = 0;
    std::thread writer([&] {
        std::string chunk;
        for (uint64_t i = 0; written < k_target_bytes; ++i) {
            chunk.clear();
            for (int j = 0; j < 1000; ++j, ++i) {
                chunk += "2026/11/27 14:" + std::to_string(10 + i / 200000 % 50) +
                         ":02 [info] 1234#1234: *" + std::to_string(i) +
                         " peer closed connection in SSL handshake (104: Connection reset by peer) "
                         "while SSL "
                         "handshaking, client: 10." +
                         std::to_string(i % 251) + "." + std::to_string(i / 251 % 251) +
                         ".7, server: 0.0.0.0:443\n";
            }
            for (std::size_t off = 0; off < chunk.size();) {
                ssize_t n = ::write(fds[1], chunk.data() + off, chunk.size() - off);
                if (n <= 0) break;
                off += static_cast<std::size_t>(n);
            }
            written += chunk.size();
        }
        ::close(fds[1]);
    });
    auto reader = LineReader::from_fd(fds[0], "-");
    ASSERT_TRUE(reader);
    ::close(fds[0]);
    Aggregator aggregator;
    uint64_t lines = 0;
    while (auto line = reader->next()) {
        aggregator.add(parse_error_line(line->text));
        ++lines;
    }
    writer.join();
    LogSummary s = aggregator.summary();
    const long peak_kib = status_kib("VmHWM:");
    EXPECT_GE(written, k_target_bytes);
    EXPECT_EQ(s.handshake_failures, lines);
    EXPECT_EQ(s.classes[index(FailureClass::handshake_reset)], lines);
    EXPECT_FALSE(s.clients_exact);  // 63001 distinct clients > 4096 tracked
    EXPECT_NEAR(static_cast<double>(s.clients_distinct), 63001.0, 63001.0 * 0.05);
    EXPECT_LT(peak_kib - rss_before_kib, 64 * 1024)
        << "peak " << peak_kib << " KiB, before " << rss_before_kib;
    std::printf("streamed %zu MB, %llu lines; peak RSS %ld KiB (%+ld KiB)\n", written >> 20,
                static_cast<unsigned long long>(lines), peak_kib, peak_kib - rss_before_kib);
}

}  // namespace
}  // namespace sniprobe::logs
