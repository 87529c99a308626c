// The command line's argument handling, without running any command: a mistyped
// sub-command is one line with a suggestion and exit 2, bad values are exit 2, the
// top-level help lists one line per command while each command's own help has its long
// text, the shared options are the same on every command that takes them, and failures
// map to exit statuses by their code.
#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "util/result.hpp"

namespace sniprobe::cli {
namespace {

struct Outcome {
    Parsed parsed;
    std::string out, err;
};

Outcome parse(std::vector<std::string> words) {
    words.insert(words.begin(), "sniprobe");
    std::vector<const char*> argv;
    for (const auto& w : words) argv.push_back(w.c_str());
    CommandLine command_line;
    std::ostringstream out, err;
    Outcome o;
    o.parsed = command_line.parse(static_cast<int>(argv.size()), argv.data(), out, err);
    o.out = out.str();
    o.err = err.str();
    return o;
}

size_t lines_in(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(UnknownCommand, IsOneLineWithTheNearestNameAndExit2) {
    auto o = parse({"diagnos", "example.com"});
    ASSERT_TRUE(o.parsed.exit_status);
    EXPECT_EQ(*o.parsed.exit_status, 2);
    EXPECT_FALSE(o.parsed.command);
    EXPECT_EQ(o.err, "sniprobe: unknown command 'diagnos'; did you mean 'diagnose'?\n");
    EXPECT_EQ(o.out, "");
}

TEST(UnknownCommand, SuggestsForSwappedLettersAndSharedLetters) {
    EXPECT_EQ(parse({"scna"}).err, "sniprobe: unknown command 'scna'; did you mean 'scan'?\n");
    EXPECT_EQ(parse({"analyse", "capture.pcap"}).err,
              "sniprobe: unknown command 'analyse'; did you mean 'analyze'?\n");
    EXPECT_EQ(parse({"diganose", "example.com"}).err,
              "sniprobe: unknown command 'diganose'; did you mean 'diagnose'?\n");
    EXPECT_EQ(parse({"middle"}).err,
              "sniprobe: unknown command 'middle'; did you mean 'middlebox'?\n");
}

TEST(UnknownCommand, WithNothingCloseSaysWhereTheListIs) {
    auto o = parse({"xyzzy"});
    ASSERT_TRUE(o.parsed.exit_status);
    EXPECT_EQ(*o.parsed.exit_status, 2);
    EXPECT_EQ(o.err, "sniprobe: unknown command 'xyzzy'; see 'sniprobe --help'\n");
}

TEST(UnknownCommand, NestedCommandsToo) {
    auto o = parse({"lab", "upp"});
    ASSERT_TRUE(o.parsed.exit_status);
    EXPECT_EQ(*o.parsed.exit_status, 2);
    EXPECT_EQ(o.err, "sniprobe: unknown command 'upp'; did you mean 'up'?\n");
}

TEST(UnknownCommand, HiddenCommandsAreKnownButNeverSuggested) {
    auto o = parse({"lab", "supervise", "--state-dir", "/nonexistent"});
    EXPECT_FALSE(o.parsed.exit_status);
    EXPECT_TRUE(o.parsed.command);
    auto typo = parse({"lab", "supervis"});
    EXPECT_EQ(typo.parsed.exit_status.value_or(-1), 2);
    EXPECT_EQ(typo.err.find("'supervise'"), std::string::npos) << typo.err;
}

TEST(SuggestCommand, PicksTheClosestOrNothing) {
    const std::vector<std::string> names{"middlebox", "lab",  "trace", "diagnose",
                                         "sink",      "logs", "scan"};
    EXPECT_EQ(suggest_command("tarce", names), "trace");
    EXPECT_EQ(suggest_command("log", names), "logs");
    EXPECT_EQ(suggest_command("snik", names), "sink");
    EXPECT_EQ(suggest_command("help", names), "");
    EXPECT_EQ(suggest_command("foo", names), "");
}

TEST(BadValues, AreUsageErrorsAndRunNothing) {
    const std::vector<std::vector<std::string>> cases{
        {"diagnose", "example.com", "--trials", "0"},
        {"diagnose", "example.com", "--timeout-ms", "abc"},
        {"diagnose", "example.com", "--bogus"},
        {"diagnose"},
        {"scan", "--names", "-", "--timeout-ms", "5"},
        {"scan", "--names", "-", "--concurrency", "0"},
        {"sink", "--listen", "127.0.0.1:9443"},
        {"sink", "--listen", "127.0.0.1:9443", "--token-file", "/nonexistent/token"},
        {"lab", "up", "--middlebox-hop", "9"},
        {},
    };
    for (const auto& words : cases) {
        auto o = parse(words);
        std::string shown;
        for (const auto& w : words) shown += w + " ";
        ASSERT_TRUE(o.parsed.exit_status) << shown;
        EXPECT_EQ(*o.parsed.exit_status, 2) << shown << o.err;
        EXPECT_FALSE(o.parsed.command) << shown;
        EXPECT_NE(o.err, "") << shown;
    }
}

TEST(GoodArguments, PickACommandWithoutRunningIt) {
    auto o = parse({"diagnose", "example.com", "--trials", "3", "--timeout-ms", "500", "--json"});
    EXPECT_FALSE(o.parsed.exit_status) << o.err;
    EXPECT_TRUE(o.parsed.command);
    EXPECT_EQ(o.out, "");
    EXPECT_EQ(o.err, "");
}

TEST(Help, TopLevelListsOneLinePerCommand) {
    auto o = parse({"--help"});
    ASSERT_TRUE(o.parsed.exit_status);
    EXPECT_EQ(*o.parsed.exit_status, 0);
    const std::vector<std::string> commands{"middlebox", "lab",  "trace", "diagnose",
                                            "sink",      "logs", "scan"};
    std::istringstream in(o.out);
    std::string line;
    std::vector<std::string> listed;
    while (std::getline(in, line)) {
        for (const auto& c : commands)
            if (line.rfind("  " + c + " ", 0) == 0) listed.push_back(c);
    }
    std::sort(listed.begin(), listed.end());
    auto expected = commands;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(listed, expected) << o.out;
    // The long texts belong to the commands' own help.
    EXPECT_EQ(o.out.find("Runs differential probes"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("Examples:"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("supervise"), std::string::npos);
    EXPECT_LT(lines_in(o.out), 30u) << o.out;
}

TEST(Help, EachCommandShowsItsLongText) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"diagnose", "Runs differential probes"},
        {"scan", "Each target gets a few ClientHello probes"},
        {"sink", "Run it on (or beside) the real server"},
        {"logs", "Memory stays constant for logs of any size"},
        {"middlebox", "Prints \"middlebox ready\" on stderr"},
    };
    for (const auto& [command, text] : cases) {
        auto o = parse({command, "--help"});
        ASSERT_TRUE(o.parsed.exit_status) << command;
        EXPECT_EQ(*o.parsed.exit_status, 0) << command;
        EXPECT_NE(o.out.find(text), std::string::npos) << command << ":\n" << o.out;
        EXPECT_NE(o.out.find("--help"), std::string::npos) << command;
    }
}

TEST(Help, VersionIsExit0) {
    auto o = parse({"--version"});
    ASSERT_TRUE(o.parsed.exit_status);
    EXPECT_EQ(*o.parsed.exit_status, 0);
    EXPECT_NE(o.out.find("sniprobe 0.1.0"), std::string::npos);
}

TEST(SharedOptions, TimeoutIsOneOptionOnDiagnoseAndScan) {
    CommandLine command_line;
    auto* diagnose = command_line.app().get_subcommand("diagnose");
    auto* scan = command_line.app().get_subcommand("scan");
    const CLI::Option* a = diagnose->get_option_no_throw("--timeout-ms");
    const CLI::Option* b = scan->get_option_no_throw("--timeout-ms");
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(a->get_description(), b->get_description());
    EXPECT_EQ(a->get_default_str(), b->get_default_str());
    // The same range on both.
    for (const char* command : {"diagnose", "scan"}) {
        std::vector<std::string> words{command};
        if (std::string(command) == "diagnose")
            words.push_back("example.com");
        else
            words.insert(words.end(), {"--names", "-"});
        auto low = words, high = words, ok = words;
        low.insert(low.end(), {"--timeout-ms", "199"});
        high.insert(high.end(), {"--timeout-ms", "60001"});
        ok.insert(ok.end(), {"--timeout-ms", "200"});
        EXPECT_EQ(parse(low).parsed.exit_status.value_or(-1), 2) << command;
        EXPECT_EQ(parse(high).parsed.exit_status.value_or(-1), 2) << command;
        EXPECT_FALSE(parse(ok).parsed.exit_status) << command;
    }
}

TEST(SharedOptions, SameHelpTextWherever) {
    const std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>> shared{
        {"--timeout-ms", {{"diagnose"}, {"scan"}}},
        {"--control-sni", {{"diagnose"}, {"scan"}, {"trace"}}},
        {"--token-file", {{"diagnose"}, {"sink"}}},
        {"--json", {{"diagnose"}, {"trace"}, {"logs"}, {"lab", "status"}}},
    };
    for (const auto& [option, paths] : shared) {
        CommandLine command_line;
        std::vector<std::string> descriptions;
        for (const auto& path : paths) {
            CLI::App* cmd = &command_line.app();
            for (const auto& name : path) cmd = cmd->get_subcommand(name);
            const CLI::Option* o = cmd->get_option_no_throw(option);
            ASSERT_NE(o, nullptr) << option << " missing on " << path.back();
            descriptions.push_back(o->get_description());
        }
        // --json may name the format's document; the words before it are the same.
        for (auto& d : descriptions)
            if (option == "--json") d = d.substr(0, std::string("print JSON").size());
        for (const auto& d : descriptions) EXPECT_EQ(d, descriptions.front()) << option;
    }
}

TEST(SharedOptions, TokenFileMustExistOnBoth) {
    auto sink = parse({"sink", "--listen", "127.0.0.1:1", "--token-file", "/nonexistent/t"});
    auto diagnose = parse({"diagnose", "example.com", "--sink", "http://127.0.0.1:1",
                           "--token-file", "/nonexistent/t"});
    EXPECT_EQ(sink.parsed.exit_status.value_or(-1), 2);
    EXPECT_EQ(diagnose.parsed.exit_status.value_or(-1), 2);
}

TEST(ExitStatus, UsageIs2EverythingElse3) {
    EXPECT_EQ(exit_status_for(ErrorCode::usage), 2);
    for (ErrorCode code : {ErrorCode::failed, ErrorCode::permission, ErrorCode::not_found,
                           ErrorCode::parse, ErrorCode::io})
        EXPECT_EQ(exit_status_for(code), 3);
}

TEST(ExitStatus, AFailureIsOneLineAndItsCodesStatus) {
    std::ostringstream err;
    EXPECT_EQ(run_command([]() -> int { throw Fatal(ErrorCode::permission, "needs root"); }, err),
              3);
    EXPECT_EQ(err.str(), "sniprobe: needs root\n");
    std::ostringstream err2;
    EXPECT_EQ(run_command([]() -> int { throw usage_error("bad flag"); }, err2), 2);
    EXPECT_EQ(err2.str(), "sniprobe: bad flag\n");
    std::ostringstream err3;
    EXPECT_EQ(run_command([] { return 1; }, err3), 1);
    EXPECT_EQ(err3.str(), "");
}

TEST(ExitStatus, UsageErrorsFoundWhileRunningAreExit2) {
    // Both found before any probe is sent: scan needs exactly one input, diagnose a valid port.
    auto scan = parse({"scan"});
    ASSERT_FALSE(scan.parsed.exit_status) << scan.err;
    std::ostringstream err;
    EXPECT_EQ(run_command(scan.parsed.command, err), 2);
    EXPECT_NE(err.str().find("give exactly one of --names FILE or --targets FILE"),
              std::string::npos)
        << err.str();

    auto diagnose = parse({"diagnose", "example.com:99999", "--no-capture"});
    ASSERT_FALSE(diagnose.parsed.exit_status) << diagnose.err;
    std::ostringstream err2;
    EXPECT_EQ(run_command(diagnose.parsed.command, err2), 2);
    EXPECT_EQ(lines_in(err2.str()), 1u) << err2.str();
}

}  // namespace
}  // namespace sniprobe::cli
