// decide()'s later inputs: the server's side (d.sink, from `diagnose --sink`) and the
// measured residual block (d.residual, from `diagnose --residual`). Both add evidence to
// whatever the trials say and never change the cause or the confidence.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "scenario.hpp"
#include "verdict/decide.hpp"
#include "verdict/evidence_ids.hpp"

namespace sniprobe {
namespace {

using namespace sniprobe::testing;

Diagnosis seed_run() {
    Scenario s = seed_scenario();
    s.captured().forensics(Variant::sni, RstOrigin::injected);
    return s.build();
}

const Evidence* find(const Verdict& v, const EvidenceId& id) {
    auto it = std::find_if(v.evidence.begin(), v.evidence.end(),
                           [&](const Evidence& e) { return e.id == id.id; });
    return it == v.evidence.end() ? nullptr : &*it;
}

SinkTrialFinding finding(int trial_id, SinkFinding what) {
    SinkTrialFinding f;
    f.trial_id = trial_id;
    f.matched_by = "4-tuple";
    f.syn_seen = true;
    f.syn_ttl = 62;
    f.finding = what;
    return f;
}

SinkReport matched(std::vector<SinkTrialFinding> trials) {
    SinkReport r;
    r.url = "http://10.77.3.2:9443";
    r.records = static_cast<int>(trials.size());
    for (const auto& t : trials) r.trials_matched += t.finding != SinkFinding::no_connection;
    r.trials = std::move(trials);
    return r;
}

TEST(DecideWithSink, TwoSidedResetsAreCitedAfterTheClientEvidenceAndKeepTheCause) {
    Diagnosis d = seed_run();
    const Verdict before = decide(d);
    ASSERT_EQ(before.cause, Cause::sni_reset);

    auto forged = finding(0, SinkFinding::two_sided);
    forged.rst_received = 1;
    forged.rst_not_sent_by_us = 1;
    forged.rst_ttls = {53};
    d.sink = matched({forged, finding(1, SinkFinding::client_only)});
    const Verdict v = decide(d);

    EXPECT_EQ(v.cause, before.cause);
    EXPECT_DOUBLE_EQ(v.confidence, before.confidence);
    ASSERT_EQ(v.evidence.size(), before.evidence.size() + 2);
    EXPECT_TRUE(std::equal(before.evidence.begin(), before.evidence.end(), v.evidence.begin(),
                           [](const Evidence& a, const Evidence& b) { return a.id == b.id; }));
    const Evidence* two_sided = find(v, evidence::sink_two_sided);
    ASSERT_NE(two_sided, nullptr);
    EXPECT_NE(two_sided->text.find("in 1 of 2 reset handshakes"), std::string::npos)
        << two_sided->text;
    EXPECT_NE(two_sided->text.find("never sent"), std::string::npos);
    EXPECT_NE(two_sided->text.find("TTL 53, your own packets with TTL 62"), std::string::npos)
        << two_sided->text;
    EXPECT_NE(find(v, evidence::sink_client_only), nullptr);
}

TEST(DecideWithSink, EachFindingHasItsId) {
    Diagnosis d = seed_run();
    d.sink = matched({finding(0, SinkFinding::server_rst), finding(1, SinkFinding::no_client_hello),
                      finding(2, SinkFinding::answer_lost), finding(3, SinkFinding::no_connection),
                      finding(4, SinkFinding::clean)});
    const Verdict v = decide(d);
    EXPECT_NE(find(v, evidence::sink_server_rst), nullptr);
    EXPECT_NE(find(v, evidence::sink_no_client_hello), nullptr);
    EXPECT_NE(find(v, evidence::sink_answer_lost), nullptr);
    const Evidence* none = find(v, evidence::sink_no_connection);
    ASSERT_NE(none, nullptr);
    EXPECT_NE(none->text.find("while 4 others"), std::string::npos) << none->text;
    EXPECT_EQ(find(v, evidence::sink_two_sided), nullptr);
    EXPECT_EQ(find(v, evidence::sink_client_only), nullptr);
}

TEST(DecideWithSink, AFailedOrUnmatchedSinkAddsNothing) {
    Diagnosis d = seed_run();
    const Verdict before = decide(d);
    SinkReport failed;
    failed.failure = "the sink refused the token (401): check --token-file";
    d.sink = failed;
    EXPECT_EQ(decide(d).evidence.size(), before.evidence.size());

    SinkReport unmatched;
    unmatched.trials.push_back(finding(0, SinkFinding::no_connection));
    d.sink = unmatched;  // trials_matched == 0: nothing to compare the missing ones with
    EXPECT_EQ(decide(d).evidence.size(), before.evidence.size());
}

ResidualReport residual(ResidualStatus status) {
    ResidualReport r;
    r.status = status;
    r.trigger_trial_id = 3;
    r.trigger_t = 1.25;
    r.address = "10.77.3.2";
    r.port = 443;
    r.control_name = "ok.test";
    r.max_s = 20;
    r.window_s = 6.3;
    r.blocked_until_s = 5.8;
    r.keyed_fields = 3;
    r.scope = "port 8443 answered while port 443 was blocked";
    return r;
}

TEST(DecideWithResidual, AMeasuredBlockIsCitedLastAndKeepsTheCause) {
    Diagnosis d = seed_run();
    const Verdict before = decide(d);
    d.residual = residual(ResidualStatus::cleared);
    const Verdict v = decide(d);
    EXPECT_EQ(v.cause, before.cause);
    EXPECT_DOUBLE_EQ(v.confidence, before.confidence);
    ASSERT_EQ(v.evidence.size(), before.evidence.size() + 1);
    const Evidence& last = v.evidence.back();
    EXPECT_EQ(last.id, std::string(evidence::residual_blocking.id));
    EXPECT_NE(last.text.find("trial 3 (the target name, reset at t=1.25s)"), std::string::npos)
        << last.text;
    EXPECT_NE(last.text.find("ok.test to 10.77.3.2:443 kept failing"), std::string::npos);
    EXPECT_NE(last.text.find("for 5.8 s and passed again 6.3 s"), std::string::npos);
    EXPECT_NE(last.text.find("keyed on 3 fields"), std::string::npos);

    d.residual = residual(ResidualStatus::still_blocked);
    const Verdict still = decide(d);
    ASSERT_EQ(still.evidence.size(), before.evidence.size() + 1);
    EXPECT_NE(still.evidence.back().text.find("bound of 20 s"), std::string::npos)
        << still.evidence.back().text;
}

TEST(DecideWithResidual, NoBlockMeasuredAddsNoEvidence) {
    Diagnosis d = seed_run();
    const size_t before = decide(d).evidence.size();
    for (ResidualStatus s :
         {ResidualStatus::not_blocked, ResidualStatus::no_trigger, ResidualStatus::interrupted}) {
        d.residual = residual(s);
        EXPECT_EQ(decide(d).evidence.size(), before) << to_name(s);
    }
}

TEST(DecideWithSinkAndResidual, SinkLinesComeBeforeTheMeasuredBlock) {
    Diagnosis d = seed_run();
    d.sink = matched({finding(0, SinkFinding::client_only)});
    d.residual = residual(ResidualStatus::cleared);
    const Verdict v = decide(d);
    ASSERT_GE(v.evidence.size(), 2u);
    EXPECT_EQ(v.evidence[v.evidence.size() - 2].id, std::string(evidence::sink_client_only.id));
    EXPECT_EQ(v.evidence.back().id, std::string(evidence::residual_blocking.id));
}

TEST(DecideWithSink, EveryEmittedIdIsInTheTable) {
    for (const auto* id :
         {&evidence::sink_two_sided, &evidence::sink_no_client_hello, &evidence::sink_answer_lost,
          &evidence::sink_client_only, &evidence::sink_server_rst, &evidence::sink_no_connection}) {
        bool found = false;
        for (const auto& e : k_all_evidence_ids) found = found || std::string(e.id) == id->id;
        EXPECT_TRUE(found) << id->id;
    }
}

}  // namespace
}  // namespace sniprobe
