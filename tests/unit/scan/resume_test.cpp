// --resume: keys read back from written records, a partial last line cut off, lines
// that are not records skipped, a missing file meaning "nothing done yet".
#include "scan/resume.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "scan/record.hpp"
#include "support/temp.hpp"

namespace sniprobe::scan {
namespace {

std::string record_line(const std::string& host, const std::string& ip, bool ip_given,
                        uint16_t port) {
    ScanRecord r;
    r.target.host = host;
    r.target.ip = ip;
    r.target.ip_given = ip_given;
    r.target.port = port;
    r.ip = ip;
    r.verdict.cause = Cause::ok;
    std::ostringstream out;
    write_record(out, r);
    return out.str();
}

struct TempFile {
    test::TempFile file{"sniprobe-scan-resume"};
    std::string path = file.path();
    void write(const std::string& text) const { file.write(text); }
    std::string read() const { return file.read(); }
};

TEST(Resume, KeyRoundTripsThroughTheWrittenRecord) {
    auto given = record_key(record_line("a.test", "10.0.0.1", true, 443));
    ASSERT_TRUE(given.has_value());
    EXPECT_EQ(*given, resume_key("a.test", 443, "10.0.0.1"));
    // A DNS answer is not part of the identity: the next run may get another address.
    auto resolved = record_key(record_line("b.test", "10.0.0.2", false, 8443));
    ASSERT_TRUE(resolved.has_value());
    EXPECT_EQ(*resolved, resume_key("b.test", 8443, ""));
    EXPECT_FALSE(record_key("not json").has_value());
    EXPECT_FALSE(record_key(R"({"host":"a.test"})").has_value());
    EXPECT_FALSE(record_key(R"({"host":"a.test","port":0})").has_value());
}

TEST(Resume, DoneSetAnswersMembership) {
    DoneSet done;
    done.add(resume_key("a.test", 443, "10.0.0.1"));
    EXPECT_TRUE(done.contains(resume_key("a.test", 443, "10.0.0.1")));
    EXPECT_FALSE(done.contains(resume_key("a.test", 443, "10.0.0.2")));
    EXPECT_FALSE(done.contains(resume_key("a.test", 8443, "10.0.0.1")));
    EXPECT_EQ(done.size(), 1u);
}

TEST(Resume, PartialLastLineIsCutAndItsTargetRescanned) {
    TempFile file;
    const std::string a = record_line("a.test", "10.0.0.1", true, 443);
    const std::string b = record_line("b.test", "10.0.0.1", true, 443);
    const std::string c = record_line("c.test", "10.0.0.1", true, 443);
    file.write(a + "garbage line\n" + b + c.substr(0, c.size() / 2));
    auto state = load_resume_state(file.path);
    ASSERT_TRUE(state.has_value());
    EXPECT_EQ(state->records, 2);
    EXPECT_EQ(state->unreadable_lines, 1);
    EXPECT_TRUE(state->partial_last_line);
    EXPECT_TRUE(state->done.contains(resume_key("a.test", 443, "10.0.0.1")));
    EXPECT_TRUE(state->done.contains(resume_key("b.test", 443, "10.0.0.1")));
    EXPECT_FALSE(state->done.contains(resume_key("c.test", 443, "10.0.0.1")));
    ASSERT_TRUE(truncate_output(file.path, state->complete_bytes).has_value());
    EXPECT_EQ(file.read(), a + "garbage line\n" + b);
}

TEST(Resume, CompleteFileAndMissingFile) {
    TempFile file;
    const std::string a = record_line("a.test", "10.0.0.1", true, 443);
    file.write(a);
    auto state = load_resume_state(file.path);
    ASSERT_TRUE(state.has_value());
    EXPECT_FALSE(state->partial_last_line);
    EXPECT_EQ(state->complete_bytes, a.size());
    EXPECT_EQ(state->records, 1);
    auto missing = load_resume_state(file.path + ".does-not-exist");
    ASSERT_TRUE(missing.has_value());
    EXPECT_EQ(missing->records, 0);
    EXPECT_EQ(missing->done.size(), 0u);
}

}  // namespace
}  // namespace sniprobe::scan
