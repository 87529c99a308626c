// The HTML report: escaping (a hostile certificate subject stays text), the page's
// structure (self-contained, one row per variant, each evidence id explained), and the
// packet ladders, whose arrows are counted against the model they were drawn from.
#include "report/html_report.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "model/names.hpp"
#include "report/ladder_svg.hpp"
#include "rich_diagnosis.hpp"

namespace sniprobe {
namespace {

using namespace sniprobe::testing;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* k_script = "<script>alert(1)</script>";

std::string render(const Diagnosis& d) {
    std::ostringstream out;
    write_html(out, d);
    return out.str();
}

size_t count(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos;
         at = haystack.find(needle, at + needle.size()))
        ++n;
    return n;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// A diagnosis where every string a server or file could choose carries markup.
Diagnosis hostile() {
    Diagnosis d = rich_diagnosis();
    for (Trial& t : d.trials) {
        if (t.certificate) t.certificate->chain_subjects = {std::string("CN=") + k_script};
        if (t.http_status) {
            t.http_title = k_script;
            t.http_server_header = "\"><img src=x onerror=alert(1)>";
        }
        t.server_name = k_script;
    }
    d.target.host = k_script;
    d.target.sni = k_script;
    d.verdict.summary = std::string("summary ") + k_script;
    d.verdict.evidence.push_back({"E_UNKNOWN_ID'", k_script});
    d.verdict.advice.push_back(k_script);
    d.trace->middlebox_router = k_script;
    d.trace->hops[0].router = k_script;
    d.analysis.rsts.front().reasons.push_back(k_script);
    d.notes.push_back(k_script);
    d.anomalies.push_back("\x1b[31mred");
    SinkReport sink;
    sink.url = k_script;
    SinkTrialFinding f;
    f.trial_id = 2;
    f.server_name = k_script;
    sink.trials.push_back(f);
    d.sink = sink;
    return d;
}

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
    EXPECT_EQ(html_escape(k_script), "&lt;script&gt;alert(1)&lt;/script&gt;");
    EXPECT_EQ(html_escape("a & b"), "a &amp; b");
    EXPECT_EQ(html_escape("\"'"), "&quot;&#39;");
    EXPECT_EQ(html_escape("&lt;"), "&amp;lt;");  // already-escaped text is escaped again
}

TEST(HtmlEscape, KeepsTextAndUtf8ReplacesControls) {
    EXPECT_EQ(html_escape("blocked.test"), "blocked.test");
    EXPECT_EQ(html_escape("bücher.example"), "bücher.example");
    EXPECT_EQ(html_escape("a\tb\nc"), "a\tb\nc");
    EXPECT_EQ(html_escape(std::string("a\0b", 3)),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(html_escape("\x1b[31m"), "\xEF\xBF\xBD[31m");
    EXPECT_EQ(html_escape(""), "");
}

TEST(HtmlReport, HostileStringsStayText) {
    const std::string html = render(hostile());
    EXPECT_THAT(lower(html), Not(HasSubstr("<script")));
    EXPECT_THAT(lower(html), Not(HasSubstr("<img")));
    EXPECT_THAT(html, HasSubstr("CN=&lt;script&gt;alert(1)&lt;/script&gt;"));
    EXPECT_THAT(html, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    EXPECT_THAT(html, HasSubstr("E_UNKNOWN_ID&#39;"));
    EXPECT_THAT(html, Not(HasSubstr("\x1b")));
}

TEST(HtmlReport, SelfContained) {
    const std::string html = render(rich_diagnosis());
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_THAT(html, HasSubstr("content=\"default-src 'none'; style-src 'unsafe-inline'; "
                                "img-src data:\""));
    EXPECT_THAT(html, HasSubstr("@page { size: A4;"));
    EXPECT_THAT(html, HasSubstr("@media print"));
    // Nothing to fetch: no src or href attribute, no URL except the SVG namespace.
    EXPECT_THAT(html, Not(HasSubstr(" src=")));
    EXPECT_THAT(html, Not(HasSubstr(" href=")));
    const std::regex url("https?://");
    const size_t urls = static_cast<size_t>(
        std::distance(std::sregex_iterator(html.begin(), html.end(), url), std::sregex_iterator()));
    EXPECT_EQ(urls, count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
    EXPECT_THAT(html, HasSubstr("</html>\n"));
}

TEST(HtmlReport, VerdictVariantsEvidenceAdviceFromTheModel) {
    const Diagnosis d = rich_diagnosis();
    const std::string html = render(d);
    EXPECT_THAT(html, HasSubstr("data-cause=\"" + std::string(to_name(d.verdict.cause)) + "\""));
    EXPECT_THAT(html, HasSubstr(html_escape(d.verdict.summary)));
    EXPECT_THAT(html, HasSubstr(fmt::format("{:.0f}% confidence", d.verdict.confidence * 100)));
    // The verdict comes before the variant table, which comes before the ladders.
    EXPECT_LT(html.find("id=\"verdict\""), html.find("id=\"variants\""));
    EXPECT_LT(html.find("id=\"variants\""), html.find("id=\"packets\""));
    EXPECT_EQ(count(html, "<tr data-variant="), d.analysis.variants.size());
    EXPECT_EQ(count(html, "<svg class=\"ci\""), d.analysis.variants.size());
    ASSERT_FALSE(d.verdict.evidence.empty());
    EXPECT_EQ(count(html, "<dt data-id="), d.verdict.evidence.size());
    EXPECT_EQ(count(html, "<dd class=\"meaning\">"), d.verdict.evidence.size());
    for (const auto& e : d.verdict.evidence) EXPECT_THAT(html, HasSubstr(html_escape(e.text)));
    for (const auto& a : d.verdict.advice) EXPECT_THAT(html, HasSubstr(html_escape(a)));
}

TEST(HtmlReport, IntervalBarsSpanTheInterval) {
    Diagnosis d = rich_diagnosis();
    d.analysis.variants.resize(1);
    d.analysis.variants[0].ci95 = {0.25, 0.75};
    d.analysis.variants[0].rate = 0.5;
    const std::string html = render(d);
    EXPECT_THAT(html, HasSubstr("<rect class=\"band\" x=\"50.0\" y=\"4\" width=\"100.0\""));
    EXPECT_THAT(html, HasSubstr("<circle class=\"rate\" cx=\"100.0\""));
}

TEST(HtmlReport, OneLadderPerVariantWithArrowsCountedFromThePackets) {
    const Diagnosis d = rich_diagnosis();
    const auto trials = representative_trials(d);
    ASSERT_EQ(trials.size(), d.analysis.variants.size());
    size_t expected_arrows = 0;
    size_t expected_ladders = 0;
    for (const Trial* t : trials) {
        expected_arrows += std::min(t->packets.size(), k_max_ladder_arrows);
        if (!t->packets.empty()) ++expected_ladders;
    }
    ASSERT_GT(expected_arrows, 0u);
    const std::string html = render(d);
    EXPECT_EQ(count(html, "<figure class=\"trial\""), trials.size());
    EXPECT_EQ(count(html, "<svg class=\"ladder\""), expected_ladders);
    EXPECT_EQ(count(html, "<g class=\"arrow "), expected_arrows);
    size_t injected = 0;
    for (const auto& f : d.analysis.rsts)
        for (const Trial* t : trials)
            if (f.trial_id == t->id && f.origin == RstOrigin::injected) ++injected;
    EXPECT_EQ(count(html, "<g class=\"arrow injected"), injected);
}

TEST(Ladder, InjectedResetComesFromTheTracedHopWithItsReasons) {
    const Diagnosis d = rich_diagnosis();
    const Trial& t = d.trials[2];
    const Ladder ladder = build_ladder(d, t);
    ASSERT_EQ(ladder.arrows.size(), t.packets.size());
    EXPECT_EQ(ladder.hop_label, "hop 2 · 10.77.2.1");
    const LadderArrow& syn = ladder.arrows[0];
    EXPECT_EQ(syn.from, LadderLane::client);
    EXPECT_EQ(syn.to, LadderLane::server);
    EXPECT_EQ(syn.kind, ArrowKind::plain);
    EXPECT_EQ(syn.flags, "SYN");
    EXPECT_THAT(syn.label, HasSubstr("TTL 64 · IP ID 4321"));
    EXPECT_NEAR(syn.t_ms, (t.packets[0].t - t.t0) * 1000, 1e-9);
    const LadderArrow& rst = ladder.arrows[1];
    EXPECT_EQ(rst.from, LadderLane::hop);
    EXPECT_EQ(rst.to, LadderLane::client);
    EXPECT_EQ(rst.kind, ArrowKind::injected);
    EXPECT_EQ(rst.flags, "RST ACK");
    EXPECT_THAT(rst.reasons, ::testing::Contains("TTL 60 vs SYN-ACK 52"));
    EXPECT_THAT(rst.reasons, ::testing::Contains("signature gfw_type_2"));

    std::ostringstream svg;
    write_ladder_svg(svg, ladder);
    EXPECT_THAT(svg.str(), HasSubstr("<title>RST ACK · 10 B · TTL 60 · IP ID 0\ninjected on the "
                                     "path\nsignature gfw_type_2\nTTL 60 vs SYN-ACK 52\nIP ID 0"));
    EXPECT_THAT(svg.str(), HasSubstr("data-arrows=\"2\""));
}

TEST(Ladder, ServerResetStartsAtTheServerAndNoHopLaneWithoutInjection) {
    Diagnosis d = rich_diagnosis();
    d.trace.reset();
    d.analysis.rsts.front().origin = RstOrigin::server;
    const Ladder ladder = build_ladder(d, d.trials[2]);
    EXPECT_EQ(ladder.hop_label, "");
    EXPECT_EQ(ladder.arrows[1].from, LadderLane::server);
    EXPECT_EQ(ladder.arrows[1].kind, ArrowKind::server_close);
    std::ostringstream svg;
    write_ladder_svg(svg, ladder);
    EXPECT_THAT(svg.str(), Not(HasSubstr("lane hop")));
    EXPECT_THAT(svg.str(), HasSubstr("<g class=\"arrow server-close inbound\""));
}

TEST(Ladder, InjectionWithoutTraceGetsAnUnlocatedHopLane) {
    Diagnosis d = rich_diagnosis();
    d.trace.reset();
    const Ladder ladder = build_ladder(d, d.trials[2]);
    EXPECT_EQ(ladder.hop_label, "on the path (hop not traced)");
    EXPECT_EQ(ladder.arrows[1].from, LadderLane::hop);
}

TEST(Ladder, LongTrialsAreCapped) {
    Diagnosis d = rich_diagnosis();
    Trial& t = d.trials[2];
    while (t.packets.size() < k_max_ladder_arrows + 10) t.packets.push_back(t.packets.front());
    const Ladder ladder = build_ladder(d, t);
    EXPECT_EQ(ladder.arrows.size(), k_max_ladder_arrows);
    EXPECT_EQ(ladder.packets_captured, k_max_ladder_arrows + 10);
    EXPECT_THAT(render(d), HasSubstr("10 more packets not drawn"));
}

TEST(Ladder, RepresentativeTrialHasTheCommonOutcomeAndPackets) {
    Diagnosis d = seed_scenario().build();
    d.trials[9].packets.push_back(PacketRecord{});   // a reset sni trial, captured
    d.trials[14].packets.push_back(PacketRecord{});  // the one ok sni trial, captured
    const auto trials = representative_trials(d);
    const auto sni = std::find_if(trials.begin(), trials.end(),
                                  [](const Trial* t) { return t->variant == Variant::sni; });
    ASSERT_NE(sni, trials.end());
    EXPECT_EQ((*sni)->id, 9);
    EXPECT_EQ((*sni)->failure.text(), "connection_reset");
}

TEST(Ladder, FlagWords) {
    EXPECT_EQ(flag_words(0x12), "SYN ACK");
    EXPECT_EQ(flag_words(0x14), "RST ACK");
    EXPECT_EQ(flag_words(0x19), "FIN PSH ACK");
    EXPECT_EQ(flag_words(0), "none");
}

TEST(HtmlReport, TraceMarksTheInterferingHop) {
    const Diagnosis d = rich_diagnosis();
    const std::string html = render(d);
    EXPECT_EQ(count(html, "<tr class=\"middlebox\">"), 1u);
    EXPECT_THAT(html, HasSubstr("<tr class=\"middlebox\"><td class=\"mark\">▶ interferes</td>"
                                "<td class=\"num\">2</td>"));
}

TEST(HtmlReport, SinkViewBesideTheLadder) {
    Diagnosis d = rich_diagnosis();
    EXPECT_THAT(render(d), Not(HasSubstr("<aside")));
    SinkReport sink;
    sink.url = "http://10.77.3.2:8444";
    sink.records = 3;
    SinkTrialFinding f;
    f.trial_id = 2;
    f.syn_seen = true;
    f.client_hello_seen = true;
    f.rst_received = 1;
    f.rst_not_sent_by_us = 1;
    f.finding = SinkFinding::two_sided;
    sink.trials.push_back(f);
    d.sink = sink;
    const std::string html = render(d);
    EXPECT_EQ(count(html, "<aside class=\"sink-view\" data-finding=\"two_sided\">"), 1u);
    // Inside the same side-by-side block as trial 2's ladder.
    const size_t ladder = html.find("data-trial-id=\"2\" data-packets");
    const size_t aside = html.find("<aside class=\"sink-view\"");
    ASSERT_NE(ladder, std::string::npos);
    EXPECT_GT(aside, ladder);
    EXPECT_EQ(html.find("</div>", ladder), html.find("</aside>\n", aside) + 9);
}

TEST(HtmlReport, CertificateAndHttpFacts) {
    const Diagnosis d = rich_diagnosis();
    const std::string html = render(d);
    EXPECT_THAT(html, HasSubstr("id=\"server\""));
    size_t subjects = 0;
    for (const Trial& t : d.trials) {
        if (!t.certificate) continue;
        for (const auto& s : t.certificate->chain_subjects) {
            EXPECT_THAT(html, HasSubstr("<code>" + html_escape(s) + "</code>"));
            ++subjects;
        }
    }
    EXPECT_GT(subjects, 0u);
}

TEST(HtmlReport, EmptyDiagnosisStillAPage) {
    const std::string html = render(Diagnosis{});
    EXPECT_THAT(html, HasSubstr("data-cause=\"inconclusive\""));
    EXPECT_THAT(html, Not(HasSubstr("id=\"packets\"")));
    EXPECT_THAT(html, HasSubstr("</html>"));
}

}  // namespace
}  // namespace sniprobe
