// Bad input never crashes and always says what was wrong: a truncated file keeps the
// frames before the break, garbage is refused by name, and gzip is read like plain.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <iterator>
#include <string>

#include "offline/analyze_captures.hpp"
#include "support/temp.hpp"

namespace sniprobe {
namespace {

const std::string k_fixture =
    std::string(SNIPROBE_TEST_DATA) + "/realworld/tripwire_airtel-india-sni-rst_server-side.pcap";

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

CaptureAnalysis analyse(const std::string& path) {
    CaptureAnalysis c = offline::read_captures({path});
    offline::judge_captures(c);
    return c;
}

TEST(BadInput, TruncatedFileKeepsTheFramesBeforeTheBreak) {
    const std::string bytes = slurp(k_fixture);
    ASSERT_GT(bytes.size(), 4000U);
    test::TempFile cut("analyze-cut", bytes.substr(0, bytes.size() / 2 + 7));
    auto c = analyse(cut.path());
    EXPECT_EQ(c.anomalies["truncated_file"], 1);
    EXPECT_GT(c.frames, 10U);
    EXPECT_LT(c.frames, 36U);
    EXPECT_FALSE(c.flows.empty());  // partial results
}

TEST(BadInput, GarbageIsRefusedByName) {
    test::TempFile junk("analyze-junk", std::string(1000, '\x5a'));
    auto c = analyse(junk.path());
    EXPECT_EQ(c.anomalies["unreadable_file"], 1);
    ASSERT_FALSE(c.notes.empty());
    EXPECT_NE(c.notes[0].find("not a pcap or pcapng"), std::string::npos);
    EXPECT_TRUE(c.flows.empty());
}

TEST(BadInput, MissingFileIsANote) {
    auto c = analyse("/nonexistent/capture.pcap");
    EXPECT_EQ(c.anomalies["unreadable_file"], 1);
}

TEST(BadInput, GzipReadsLikeThePlainFile) {
    test::TempDir dir("analyze-gz");
    const std::string gz_path = dir.file("airtel.pcap.gz");
    const std::string bytes = slurp(k_fixture);
    gzFile gz = gzopen(gz_path.c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    ASSERT_EQ(gzclose(gz), Z_OK);
    auto plain = analyse(k_fixture);
    auto zipped = analyse(gz_path);
    EXPECT_EQ(zipped.frames, plain.frames);
    ASSERT_EQ(zipped.names.size(), plain.names.size());
    ASSERT_FALSE(zipped.names.empty());
    EXPECT_EQ(zipped.names[0].diagnosis.verdict.cause, plain.names[0].diagnosis.verdict.cause);
}

TEST(BadInput, FlowLimitsBoundTheState) {
    offline::AnalyzeOptions options;
    options.limits.max_packets = 2;
    options.limits.max_stream_bytes = 8;  // the hello cannot be parsed whole
    options.limits.max_open_flows = 1;
    auto c = offline::read_captures({k_fixture}, options);
    ASSERT_FALSE(c.flows.empty());
    for (const auto& t : c.trials) EXPECT_LE(t.packets.size(), 4U);
    EXPECT_GT(c.anomalies["flow_table_full"] + c.anomalies["packets_capped"], 0);
}

}  // namespace
}  // namespace sniprobe
