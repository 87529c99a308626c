// The terminal report: verdict sentence first, the variant table, evidence and advice,
// and colour codes only when asked for.
#include "report/text_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "../verdict/scenario.hpp"
#include "verdict/decide.hpp"

namespace sniprobe {
namespace {

using namespace sniprobe::testing;
using ::testing::HasSubstr;
using ::testing::Not;

Diagnosis seed() {
    Diagnosis d = seed_scenario().build();
    d.verdict = decide(d);
    d.notes = {"capture disabled: not root"};
    return d;
}

std::string render(const Diagnosis& d, Colour colour) {
    std::ostringstream out;
    TextOptions options;
    options.colour = colour;
    write_text(out, d, options);
    return out.str();
}

TEST(TextReport, VerdictSentenceComesFirst) {
    const Diagnosis d = seed();
    const std::string text = render(d, Colour::off);
    const std::string first_line = text.substr(0, text.find('\n'));
    EXPECT_EQ(first_line, verdict_line(d.verdict));
    EXPECT_THAT(first_line, HasSubstr("sni_reset"));
    EXPECT_THAT(first_line, HasSubstr(d.verdict.summary));
}

TEST(TextReport, HasTableEvidenceAdviceAndNotesInOrder) {
    const std::string text = render(seed(), Colour::off);
    const auto table = text.find("ok/trials");
    const auto sni_row = text.find("\nsni ");
    const auto evidence = text.find("E_SNI_RESET_RATE");
    const auto advice = text.find("\nadvice");
    const auto notes = text.find("capture disabled");
    ASSERT_NE(table, std::string::npos);
    ASSERT_NE(sni_row, std::string::npos);
    EXPECT_LT(table, sni_row);
    EXPECT_LT(sni_row, evidence);
    EXPECT_LT(evidence, advice);
    EXPECT_LT(advice, notes);
    EXPECT_THAT(text, HasSubstr("1/10"));
    EXPECT_THAT(text, HasSubstr("connection_reset 9"));
    EXPECT_THAT(text, HasSubstr("10%"));
}

TEST(TextReport, NoColourCodesWithoutColour) {
    EXPECT_THAT(render(seed(), Colour::off), Not(HasSubstr("\x1b")));
    EXPECT_THAT(render(seed(), Colour::on), HasSubstr("\x1b[31m"));
}

TEST(TextReport, EscapeSequencesFromTheNetworkAreNeutralised) {
    Diagnosis d = seed();
    d.verdict.summary = "evil \x1b]0;title\x07 name.";
    EXPECT_THAT(render(d, Colour::off), Not(HasSubstr("\x1b")));
}

TEST(TextReport, FullDetailListsEachReset) {
    Scenario s;
    s.captured()
        .add(Variant::sni, 2, reset_after_hello)
        .add(Variant::no_sni, 2, handshake_ok)
        .forensics(Variant::sni, RstOrigin::injected, RstSignatureId::henan);
    Diagnosis d = s.build();
    d.analysis.rsts[0].reasons = {"payload 01 02 .. 09 00"};
    d.verdict = decide(d);
    std::ostringstream out;
    write_text(out, d, TextOptions{Colour::off, Detail::full});
    EXPECT_THAT(out.str(), HasSubstr("2 x injected (henan)"));
    EXPECT_THAT(out.str(), HasSubstr("payload 01 02 .. 09 00"));
}

TEST(TextReport, ResidualBlockIsOneLine) {
    Diagnosis d = seed();
    EXPECT_THAT(render(d, Colour::off), Not(HasSubstr("residual blocking")));
    ResidualReport r;
    r.status = ResidualStatus::cleared;
    r.address = "10.77.3.2";
    r.port = 443;
    r.control_name = "ok.test";
    r.window_s = 6.3;
    r.blocked_until_s = 5.8;
    r.keyed_fields = 3;
    d.residual = r;
    EXPECT_THAT(render(d, Colour::off),
                HasSubstr("ok.test to 10.77.3.2:443: blocked for 6.3 s after the trigger (last "
                          "failure at 5.8 s), keyed on 3 fields"));
}

}  // namespace
}  // namespace sniprobe
