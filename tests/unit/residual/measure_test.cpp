// The residual measurement against a simulated box: a block of a known length, keyed on
// 2 or 3 tuple fields, on a fake clock. Checks the window it reports brackets the real
// one, the scope it infers, the bound, and which trial it times from.
#include <gtest/gtest.h>

#include "residual/residual.hpp"
#include "verdict/decide.hpp"
#include "verdict/evidence_ids.hpp"

namespace sniprobe::residual {
namespace {

constexpr const char* k_server = "10.77.3.2";

// A captured target-name trial whose hello went out at `hello_t` and was reset by an injected RST.
Trial injected_trial(Diagnosis& d, int id, double hello_t, Variant v = Variant::sni) {
    Trial t;
    t.id = id;
    t.variant = v;
    t.address = k_server;
    t.port = 443;
    t.server_name = "blocked.test";
    t.t0 = hello_t - 0.002;
    t.hello_sent_ms = 2.0;
    t.t = hello_t + 0.02;
    t.failure = FailureCode::connection_reset;
    t.captured = true;
    RstFinding f;
    f.trial_id = id;
    f.origin = RstOrigin::injected;
    d.analysis.rsts.push_back(f);
    return t;
}

Diagnosis triggered_run(double hello_t = 1.0) {
    Diagnosis d;
    d.target.sni = "blocked.test";
    d.target.control_sni = "ok.test";
    d.target.port = 443;
    d.trials.push_back(injected_trial(d, 0, hello_t));
    return d;
}

// A box that blocks for `residual_s` after `trigger_t`, keyed on 2 or 3 fields; ports in
// `closed` never answer. Probes take 10 ms of fake time.
struct FakeBox {
    double now = 0;
    double trigger_t = 1.0;
    double residual_s = 6;
    int keyed_fields = 3;
    std::vector<uint16_t> closed;
    std::vector<uint16_t> rejecting;  // the server answers every name with an alert
    int runs = 0;
    int waits_before_interrupt = -1;

    bool blocked(uint16_t port) const {
        if (std::find(closed.begin(), closed.end(), port) != closed.end()) return true;
        const bool in_block = now < trigger_t + residual_s;
        return in_block && (keyed_fields == 2 || port == 443);
    }
    ProbeWorld world() {
        ProbeWorld w;
        w.run = [this](const std::vector<PlannedTrial>& plan) {
            ++runs;
            std::vector<Trial> out;
            for (const PlannedTrial& p : plan) {
                Trial t;
                t.id = p.id;
                t.variant = p.variant;
                t.address = p.address;
                t.port = p.port;
                t.server_name = p.server_name;
                t.t0 = now;
                t.failure = blocked(p.port) ? Failure(FailureCode::connection_refused) : Failure();
                if (t.failure.empty() &&
                    std::find(rejecting.begin(), rejecting.end(), p.port) != rejecting.end()) {
                    t.failure = FailureCode::ssl_failed_handshake;
                    t.alert_received = "unrecognized_name";
                }
                t.t = now + 0.01;
                out.push_back(t);
            }
            now += 0.01;
            return out;
        };
        w.now_s = [this] { return now; };
        w.wait = [this](double s) {
            if (waits_before_interrupt == 0) return false;
            if (waits_before_interrupt > 0) --waits_before_interrupt;
            now += s;
            return true;
        };
        return w;
    }
};

ResidualReport run(FakeBox& box, const Diagnosis& d, double max_s = 20) {
    box.now = box.trigger_t + 0.3;  // the rest of the run finished 0.3 s after the trigger
    MeasureOptions options;
    options.max_s = max_s;
    return measure(d, options, box.world());
}

TEST(ResidualTrigger, TheLastInjectedTargetTrialWithAHello) {
    Diagnosis d = triggered_run(1.0);
    d.trials.push_back(injected_trial(d, 1, 2.5, Variant::sni_case));
    Trial syn_reset = injected_trial(d, 2, 4.0);  // blocked at the SYN: no hello, no trigger
    syn_reset.hello_sent_ms.reset();
    d.trials.push_back(syn_reset);
    Trial control = injected_trial(d, 3, 5.0, Variant::control_sni);  // not the target name
    d.trials.push_back(control);
    auto trigger = find_trigger(d);
    ASSERT_TRUE(trigger);
    EXPECT_EQ(trigger->trial_id, 1);
    EXPECT_NEAR(trigger->t, 2.5, 1e-9);
    EXPECT_EQ(trigger->address, k_server);
    EXPECT_EQ(trigger->port, 443);
}

TEST(ResidualTrigger, TheServersOwnResetIsNoTrigger) {
    Diagnosis d = triggered_run();
    d.analysis.rsts.front().origin = RstOrigin::server;
    EXPECT_FALSE(find_trigger(d));
    d.analysis.rsts.front().origin = RstOrigin::injected;
    d.analysis.rsts.front().after_injected = true;  // aftermath is not what reset the handshake
    EXPECT_FALSE(find_trigger(d));
}

TEST(ResidualTrigger, WithoutCaptureAPlainResetCounts) {
    Diagnosis d = triggered_run();
    d.analysis.rsts.clear();
    d.trials[0].captured = false;
    EXPECT_TRUE(find_trigger(d));
    d.trials[0].failure =
        FailureCode::generic_timeout_error;  // a timeout alone is not enough blind
    EXPECT_FALSE(find_trigger(d));
}

TEST(ResidualSchedule, HalfSecondStepsThenTenPercentCappedAtTenSeconds) {
    EXPECT_DOUBLE_EQ(next_probe_delay_s(0), 0.5);
    EXPECT_DOUBLE_EQ(next_probe_delay_s(4), 0.5);
    EXPECT_DOUBLE_EQ(next_probe_delay_s(20), 2.0);
    EXPECT_DOUBLE_EQ(next_probe_delay_s(500), 10.0);
}

TEST(ResidualMeasure, BracketsASixSecondPortBlock) {
    FakeBox box;
    const Diagnosis d = triggered_run(box.trigger_t);
    const ResidualReport r = run(box, d);
    EXPECT_EQ(r.status, ResidualStatus::cleared);
    ASSERT_TRUE(r.window_s && r.blocked_until_s);
    EXPECT_GE(*r.window_s, 6.0);
    EXPECT_LE(*r.window_s, 6.7);
    EXPECT_LT(*r.blocked_until_s, 6.0);
    EXPECT_GT(*r.blocked_until_s, 5.3);
    EXPECT_EQ(r.keyed_fields, 3);
    EXPECT_EQ(r.trigger_trial_id, 0);
    EXPECT_EQ(r.control_name, "ok.test");
    for (const ResidualProbe& p : r.probes) EXPECT_EQ(p.server_name, "ok.test");
}

TEST(ResidualMeasure, AnotherPortBlockedTooMeansTheWholeAddress) {
    FakeBox box;
    box.keyed_fields = 2;
    const ResidualReport r = run(box, triggered_run(box.trigger_t));
    EXPECT_EQ(r.status, ResidualStatus::cleared);
    EXPECT_EQ(r.keyed_fields, 2);
    // The other ports were asked again after the block, and answered.
    int after_ok = 0;
    for (const ResidualProbe& p : r.probes)
        after_ok += p.phase == ResidualPhase::after && p.answered;
    EXPECT_GE(after_ok, 1);
}

TEST(ResidualMeasure, NoOtherPortAnsweringLeavesTheScopeOpen) {
    FakeBox box;
    box.keyed_fields = 2;
    box.closed = {8443, 80};
    const ResidualReport r = run(box, triggered_run(box.trigger_t));
    EXPECT_EQ(r.status, ResidualStatus::cleared);
    EXPECT_FALSE(r.keyed_fields);
    EXPECT_NE(r.scope.find("cannot be told"), std::string::npos) << r.scope;
}

// The lab's 8443 rejects every name with an alert: the server spoke, so the port is open.
TEST(ResidualMeasure, AnAlertFromAnotherPortIsAnAnswer) {
    FakeBox box;
    box.closed = {80};
    box.rejecting = {8443};
    const ResidualReport r = run(box, triggered_run(box.trigger_t));
    EXPECT_EQ(r.status, ResidualStatus::cleared);
    EXPECT_EQ(r.keyed_fields, 3);
    EXPECT_NE(r.scope.find("port 8443"), std::string::npos) << r.scope;

    FakeBox wide;
    wide.keyed_fields = 2;
    wide.closed = {80};
    wide.rejecting = {8443};
    const ResidualReport w = run(wide, triggered_run(wide.trigger_t));
    EXPECT_EQ(w.keyed_fields, 2);  // refused during the block, an alert after it
}

TEST(ResidualMeasure, APortOpenBeforeTheTriggerCounts) {
    FakeBox box;
    box.keyed_fields = 2;
    box.closed = {8443};
    box.residual_s = 100;  // still blocked at the bound: 80 is never asked again
    Diagnosis d = triggered_run(box.trigger_t);
    Trial http;
    http.id = 5;
    http.variant = Variant::http_host;
    http.address = k_server;
    http.port = 80;
    http.t0 = 0.5;
    http.t = 0.6;
    d.trials.push_back(http);
    const ResidualReport r = run(box, d);
    EXPECT_EQ(r.status, ResidualStatus::still_blocked);
    EXPECT_EQ(r.keyed_fields, 2);
}

TEST(ResidualMeasure, StillBlockedAtTheBoundAndBounded) {
    FakeBox box;
    box.residual_s = 180;
    const ResidualReport r = run(box, triggered_run(box.trigger_t), 20);
    EXPECT_EQ(r.status, ResidualStatus::still_blocked);
    EXPECT_FALSE(r.window_s);
    ASSERT_TRUE(r.blocked_until_s);
    EXPECT_NEAR(*r.blocked_until_s, 20.0, 0.05);  // the last probe sits on the bound
    EXPECT_LE(box.now - box.trigger_t, 20.1);
    EXPECT_LT(box.runs, 40);
}

TEST(ResidualMeasure, ALongBoundStaysAFewDozenProbes) {
    FakeBox box;
    box.residual_s = 1e9;
    const ResidualReport r = run(box, triggered_run(box.trigger_t), 1800);
    EXPECT_EQ(r.status, ResidualStatus::still_blocked);
    EXPECT_LT(box.runs, 250);
}

TEST(ResidualMeasure, NoBlockAtAll) {
    FakeBox box;
    box.residual_s = 0;
    const ResidualReport r = run(box, triggered_run(box.trigger_t));
    EXPECT_EQ(r.status, ResidualStatus::not_blocked);
    EXPECT_FALSE(r.window_s);
    EXPECT_FALSE(r.keyed_fields);
    EXPECT_EQ(box.runs, 1);
}

TEST(ResidualMeasure, NoTriggerNoProbes) {
    FakeBox box;
    Diagnosis d = triggered_run();
    d.trials[0].failure = {};
    const ResidualReport r = run(box, d);
    EXPECT_EQ(r.status, ResidualStatus::no_trigger);
    EXPECT_EQ(box.runs, 0);
}

TEST(ResidualMeasure, InterruptStopsIt) {
    FakeBox box;
    box.waits_before_interrupt = 2;
    const ResidualReport r = run(box, triggered_run(box.trigger_t));
    EXPECT_EQ(r.status, ResidualStatus::interrupted);
    EXPECT_EQ(box.runs, 3);
}

// The measured lines of E_RESIDUAL_BLOCKING in a verdict.
std::vector<std::string> measured_lines(const Verdict& v) {
    std::vector<std::string> out;
    for (const Evidence& e : v.evidence)
        if (e.id == std::string(evidence::residual_blocking.id) &&
            e.text.rfind("measured:", 0) == 0)
            out.push_back(e.text);
    return out;
}

TEST(ResidualCite, AMeasuredBlockIsEvidenceANonBlockANote) {
    FakeBox box;
    Diagnosis d = triggered_run(box.trigger_t);
    d.residual = run(box, d);
    add_notes(d);
    EXPECT_TRUE(d.notes.empty());
    const auto lines = measured_lines(decide(d));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("ok.test to 10.77.3.2:443"), std::string::npos) << lines[0];

    FakeBox open;
    open.residual_s = 0;
    Diagnosis clear = triggered_run(open.trigger_t);
    clear.residual = run(open, clear);
    add_notes(clear);
    EXPECT_TRUE(measured_lines(decide(clear)).empty());
    ASSERT_EQ(clear.notes.size(), 1u);
    EXPECT_NE(clear.notes[0].find("residual:"), std::string::npos);
}

}  // namespace
}  // namespace sniprobe::residual
