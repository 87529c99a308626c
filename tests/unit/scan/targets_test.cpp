// The scan's input lines: names and host[,ip[,port]] targets, defaults from --ip/--port,
// comments and blank lines skipped, and malformed lines reported with their numbers
// while reading goes on.
#include "scan/targets.hpp"
#include "support/temp.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace sniprobe::scan {
namespace {

ScanTarget parsed(std::string_view line, InputFormat format, TargetDefaults defaults = {}) {
    auto r = parse_target_line(line, format, defaults);
    EXPECT_TRUE(r.has_value()) << line << ": " << (r ? "" : r.error().message);
    if (!r || !*r) {
        ADD_FAILURE() << "no target for '" << line << "'";
        return {};
    }
    return **r;
}

std::string error_of(std::string_view line, InputFormat format, TargetDefaults defaults = {}) {
    auto r = parse_target_line(line, format, defaults);
    EXPECT_FALSE(r.has_value()) << "'" << line << "' was accepted";
    return r ? "" : r.error().message;
}

TEST(TargetLine, BlankAndCommentLinesAreSkipped) {
    for (auto format : {InputFormat::names, InputFormat::targets})
        for (std::string_view line : {"", "   ", "\t\r", "# a comment", "   # indented, comment"}) {
            auto r = parse_target_line(line, format, {});
            ASSERT_TRUE(r.has_value()) << line;
            EXPECT_FALSE(r->has_value()) << "'" << line << "' gave a target";
        }
}

TEST(TargetLine, NamesTakeDefaults) {
    TargetDefaults defaults{"10.77.3.2", 8443};
    auto t = parsed("  Example.COM.\r", InputFormat::names, defaults);
    EXPECT_EQ(t.host, "example.com");
    EXPECT_EQ(t.ip, "10.77.3.2");
    EXPECT_TRUE(t.ip_given);
    EXPECT_EQ(t.port, 8443);
    auto with_port = parsed("example.com:444", InputFormat::names, defaults);
    EXPECT_EQ(with_port.port, 444);
    auto idn = parsed("bücher.example", InputFormat::names);
    EXPECT_EQ(idn.host, "xn--bcher-kva.example");
    EXPECT_TRUE(idn.ip.empty());
    EXPECT_FALSE(idn.ip_given);
}

TEST(TargetLine, TargetsFields) {
    auto host_only = parsed("a.test", InputFormat::targets, {"192.0.2.1", 443});
    EXPECT_EQ(host_only.ip, "192.0.2.1");
    EXPECT_EQ(host_only.port, 443);
    auto with_ip = parsed("a.test,198.51.100.7", InputFormat::targets, {"192.0.2.1", 443});
    EXPECT_EQ(with_ip.ip, "198.51.100.7");
    EXPECT_TRUE(with_ip.ip_given);
    auto all = parsed(" a.test , 2001:db8::1 , 8443 ", InputFormat::targets);
    EXPECT_EQ(all.host, "a.test");
    EXPECT_EQ(all.ip, "2001:db8::1");
    EXPECT_EQ(all.port, 8443);
    auto empty_ip = parsed("a.test,,8443", InputFormat::targets);
    EXPECT_TRUE(empty_ip.ip.empty());
    EXPECT_FALSE(empty_ip.ip_given);
    EXPECT_EQ(empty_ip.port, 8443);
}

TEST(TargetLine, MalformedLinesSayWhy) {
    EXPECT_NE(error_of("a.test,10.0.0.300", InputFormat::targets).find("ip field"),
              std::string::npos);
    EXPECT_NE(error_of("a.test,10.0.0.1,0", InputFormat::targets).find("out of range"),
              std::string::npos);
    EXPECT_NE(error_of("a.test,10.0.0.1,70000", InputFormat::targets).find("port"),
              std::string::npos);
    EXPECT_NE(error_of("a.test,10.0.0.1,https", InputFormat::targets).find("invalid port"),
              std::string::npos);
    EXPECT_NE(error_of("a.test,10.0.0.1,443,x", InputFormat::targets).find("too many fields"),
              std::string::npos);
    EXPECT_NE(error_of("10.0.0.1,10.0.0.1", InputFormat::targets).find("not a name"),
              std::string::npos);
    EXPECT_NE(error_of("a.test 10.0.0.1", InputFormat::names).find("one host name"),
              std::string::npos);
    EXPECT_NE(error_of("-bad-.test", InputFormat::names).find("hyphen"), std::string::npos);
    EXPECT_NE(error_of("a..test", InputFormat::names).find("empty label"), std::string::npos);
}

TEST(TargetReader, StreamsTargetsAndReportsMalformedLinesByNumber) {
    test::TempDir dir{"sniprobe-scan-targets"};
    const std::string path = dir.file("targets.csv");
    std::ofstream(path) << "# header\n"
                           "a.test,10.0.0.1\n"
                           "\n"
                           "b.test,10.0.0.1,99999\n"
                           "c.test\n"
                           "d.test,10.0.0.2,8443";  // no final newline
    auto reader = TargetReader::open(path, InputFormat::targets, {"10.0.0.9", 443});
    ASSERT_TRUE(reader.has_value());
    std::vector<ReadItem> items;
    for (int i = 0; i < 10; ++i) {
        items.push_back(reader->next());
        if (items.back().kind == ReadItem::Kind::end) break;
    }
    ASSERT_EQ(items.size(), 5u);
    EXPECT_EQ(items[0].kind, ReadItem::Kind::target);
    EXPECT_EQ(items[0].target.host, "a.test");
    EXPECT_EQ(items[0].target.line, 2);
    EXPECT_EQ(items[1].kind, ReadItem::Kind::malformed);
    EXPECT_EQ(items[1].line, 4);
    EXPECT_NE(items[1].message.find("99999"), std::string::npos);
    EXPECT_EQ(items[2].target.host, "c.test");
    EXPECT_EQ(items[2].target.ip, "10.0.0.9");
    EXPECT_EQ(items[2].target.line, 5);
    EXPECT_EQ(items[3].target.port, 8443);
    EXPECT_EQ(items[3].target.line, 6);
    EXPECT_EQ(items[4].kind, ReadItem::Kind::end);
    EXPECT_EQ(count_input_lines(path), 4);
    std::filesystem::remove(path);
    EXPECT_FALSE(TargetReader::open(path, InputFormat::names, {}).has_value());
}

}  // namespace
}  // namespace sniprobe::scan
