// Every real capture of tests/data/realworld (public projects' test data; README.md there
// says what each shows) analysed to its documented conclusion, and the lab fixtures of
// tests/data/pcap (Linux cooked frames, pcapng, snap length 256). The rule these tests
// guard above all: a server's own fault is never blamed on the network.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "model/offline.hpp"
#include "offline/analyze_captures.hpp"

namespace sniprobe {
namespace {

const std::string k_real = std::string(SNIPROBE_TEST_DATA) + "/realworld/";

CaptureAnalysis analyse(std::vector<std::string> files) {
    for (auto& f : files)
        if (f.find('/') == std::string::npos) f.insert(0, k_real);
    CaptureAnalysis c = offline::read_captures(files);
    offline::judge_captures(c);
    return c;
}

const NameVerdict& name(const CaptureAnalysis& c, const std::string& n) {
    for (const auto& v : c.names)
        if (v.name == n) return v;
    ADD_FAILURE() << "no verdict for " << n;
    static const NameVerdict none;
    return none;
}

bool blames_network(Cause c) {
    return c == Cause::sni_reset || c == Cause::sni_drop || c == Cause::sni_close ||
           c == Cause::http_host_block;
}

bool cites(const Verdict& v, const std::string& id) {
    return std::any_of(v.evidence.begin(), v.evidence.end(),
                       [&](const Evidence& e) { return e.id == id; });
}

TEST(RealCaptures, HandshakeFailureAlertIsTheServers) {
    auto c = analyse({"zeek_tls12-handshake-failure-alert.pcap"});
    ASSERT_EQ(c.flows.size(), 1U);
    EXPECT_EQ(c.side, CaptureSide::client);
    const auto& f = c.flows[0];
    EXPECT_EQ(f.outcome, FlowOutcome::alert);
    EXPECT_EQ(f.by, FlowSide::server);
    EXPECT_EQ(f.detail, "handshake_failure");
    EXPECT_EQ(f.hello_frame, 4U);
    EXPECT_EQ(f.end_frame, 6U);  // the alert's frame, for Wireshark's Go to packet
    const auto& v = name(c, "74.125.239.37").diagnosis.verdict;
    EXPECT_EQ(v.cause, Cause::tls_alert);
    EXPECT_TRUE(cites(v, "E_TLS_ALERT"));
}

TEST(RealCaptures, ProtocolVersionAlertInBothConnections) {
    auto c = analyse({"zeek_tls-protocol-version-alert.pcap"});
    const auto& n = name(c, "tls13.crypto.mozilla.org");
    EXPECT_EQ(n.flows.size(), 2U);
    EXPECT_EQ(n.diagnosis.verdict.cause, Cause::tls_alert);
    for (const auto& f : c.flows) EXPECT_EQ(f.detail, "protocol_version");
}

TEST(RealCaptures, WarningAlertIsNotAFailure) {
    auto c = analyse({"zeek_tls-warning-unrecognized-name.pcap"});
    ASSERT_EQ(c.flows.size(), 1U);
    const auto& f = c.flows[0];
    EXPECT_EQ(f.outcome, FlowOutcome::completed);  // the warning did not end it
    EXPECT_NE(f.detail.find("warning unrecognized_name"), std::string::npos);
    const auto& d = name(c, "jeffbryner.com").diagnosis;
    EXPECT_FALSE(blames_network(d.verdict.cause));
    EXPECT_NE(d.verdict.cause, Cause::tls_alert);
    // The leaf (notAfter 2011-04-16) had expired when this 2015 capture was taken: the
    // handshake completed, and the certificate is the server's only fault.
    EXPECT_EQ(d.verdict.cause, Cause::certificate);
    EXPECT_EQ(d.verdict.subcode, CertProblem::expired);
    EXPECT_TRUE(std::any_of(d.notes.begin(), d.notes.end(), [](const std::string& s) {
        return s.find("unrecognized_name") != std::string::npos;
    }));
}

TEST(RealCaptures, MissingIntermediateAndTheServersOwnReset) {
    auto c = analyse({"zeek_tls-missing-intermediate.pcap"});
    const auto& d = name(c, "128.32.169.140").diagnosis;
    EXPECT_EQ(d.verdict.cause, Cause::certificate);
    EXPECT_EQ(d.verdict.subcode, CertProblem::chain_incomplete);
    ASSERT_FALSE(d.analysis.rsts.empty());
    for (const auto& r : d.analysis.rsts)
        EXPECT_EQ(r.origin, RstOrigin::server);                              // TTL 123 = SYN-ACK
    EXPECT_EQ(name(c, "72.167.102.91").diagnosis.verdict.cause, Cause::ok);  // full chain
}

TEST(RealCaptures, ExpiredAtCaptureTime) {
    auto c = analyse({"zeek_tls-expired-cert.pcap"});
    const auto& d = name(c, "87.98.220.10").diagnosis;
    EXPECT_EQ(d.verdict.cause, Cause::certificate);
    EXPECT_EQ(d.verdict.subcode, CertProblem::expired);
    ASSERT_FALSE(d.trials.empty());
    ASSERT_TRUE(d.trials[0].certificate.has_value());
    EXPECT_EQ(d.trials[0].certificate->leaf_not_after, "2014-03-04T23:59:59Z");
    // The other server sent its whole chain (leaf, VeriSign G3, G5); only the root has left
    // today's trust store. That is no missing intermediate: never chain_incomplete.
    const auto& other = name(c, "122.1.240.204").diagnosis;
    EXPECT_NE(other.verdict.subcode, CertProblem::chain_incomplete);
    ASSERT_FALSE(other.trials.empty());
    ASSERT_TRUE(other.trials[0].certificate.has_value());
    EXPECT_EQ(other.trials[0].certificate->chain_subjects.size(), 3U);
    EXPECT_EQ(other.trials[0].certificate->problem, CertProblem::untrusted);
}

TEST(RealCaptures, ClientCertificateRequiredIsTheServers) {
    auto c = analyse({"zeek_tls-client-cert-required-failure.pcap"});
    ASSERT_EQ(c.flows.size(), 1U);
    EXPECT_EQ(c.flows[0].outcome, FlowOutcome::alert);
    EXPECT_NE(c.flows[0].detail.find("CertificateRequest"), std::string::npos);
    ASSERT_EQ(c.names.size(), 1U);
    const auto& v = c.names[0].diagnosis.verdict;
    EXPECT_EQ(v.cause, Cause::tls_alert);
    ASSERT_FALSE(v.advice.empty());
    EXPECT_NE(v.advice[0].find("mutual TLS"), std::string::npos);
}

TEST(RealCaptures, PlainHttpPortIsNotTheNetwork) {
    auto c = analyse({"zeek_tls-to-plain-http-port.pcap"});
    ASSERT_EQ(c.flows.size(), 1U);
    EXPECT_EQ(c.flows[0].outcome, FlowOutcome::plain_http);
    const auto& v = name(c, "127.0.0.1").diagnosis.verdict;
    EXPECT_TRUE(cites(v, "E_NOT_TLS_ANSWER"));
    EXPECT_FALSE(blames_network(v.cause));
    EXPECT_NE(v.cause, Cause::server_reset);  // the RST (frame 9) is the client's
}

TEST(RealCaptures, RstInjectedBeforeTheSynAck) {
    auto c = analyse({"zeek_tcp-rst-inject-before-synack.pcap"});
    ASSERT_EQ(c.flows.size(), 1U);
    EXPECT_EQ(c.flows[0].outcome, FlowOutcome::not_tls);
    ASSERT_GE(c.other_rsts.size(), 2U);
    EXPECT_EQ(c.other_rsts[0].origin, RstOrigin::injected);  // TTL 46, before the SYN-ACK
    EXPECT_EQ(c.flows[0].packet_frames[static_cast<size_t>(c.other_rsts[0].packet_index)], 2U);
    for (size_t i = 1; i < c.other_rsts.size(); ++i)
        EXPECT_NE(c.other_rsts[i].origin, RstOrigin::injected);  // TTL 49, as the SYN-ACK
}

TEST(RealCaptures, AirtelInjectionSeenFromTheServer) {
    auto c = analyse({"tripwire_airtel-india-sni-rst_server-side.pcap"});
    EXPECT_EQ(c.side, CaptureSide::server);
    EXPECT_EQ(c.flows.size(), 4U);
    EXPECT_EQ(c.anomalies["rst_before_trigger"], 2);  // frames 3 and 31 precede their hellos
    const auto& d = name(c, "youporn.com").diagnosis;
    EXPECT_EQ(d.verdict.cause, Cause::sni_reset);
    EXPECT_TRUE(cites(d.verdict, "E_RST_INJECTED"));
    EXPECT_LT(d.verdict.confidence, 0.9);  // no control name in the capture
    int airtel = 0;
    for (const auto& r : d.analysis.rsts) {
        if (r.origin == RstOrigin::injected) {
            EXPECT_EQ(r.window, 16);
            EXPECT_EQ(r.ip_id, 0x00f2);
            airtel += r.signature == RstSignatureId::airtel ? 1 : 0;
        } else {
            EXPECT_TRUE(r.after_injected);  // the server's answers to a torn-down connection
        }
    }
    EXPECT_EQ(airtel, 4);
    EXPECT_EQ(c.flows[0].end_frame, 3U);
}

TEST(RealCaptures, CenTraceLocatesTheHopAndKeepsTheControlClean) {
    auto c = analyse({"centrace_222.138.4.221_archive.org_archive.org.pcap",
                      "centrace_222.138.4.221_archive.org_example.com.pcap"});
    const auto& blocked = name(c, "archive.org").diagnosis;
    EXPECT_EQ(blocked.verdict.cause, Cause::sni_reset);
    ASSERT_TRUE(blocked.trace.has_value());
    ASSERT_TRUE(blocked.trace->middlebox_hop.has_value());
    EXPECT_EQ(*blocked.trace->middlebox_hop, 13);
    EXPECT_EQ(blocked.trace->middlebox_router, "219.158.18.65");
    EXPECT_EQ(blocked.trace->placement, "on_path");
    EXPECT_TRUE(cites(blocked.verdict, "E_TRACE_MIDDLEBOX_HOP"));
    const auto& control = name(c, "example.com").diagnosis;
    EXPECT_EQ(control.verdict.cause, Cause::ok);
}

TEST(RealCaptures, CenTraceWithoutCensorship) {
    auto c = analyse({"centrace_95.167.150.101_sohu.com_sohu.com.pcap",
                      "centrace_95.167.150.101_sohu.com_example.com.pcap"});
    ASSERT_FALSE(c.names.empty());
    for (const auto& n : c.names) {
        EXPECT_FALSE(blames_network(n.diagnosis.verdict.cause)) << n.name;
        if (n.diagnosis.trace) {
            EXPECT_FALSE(n.diagnosis.trace->middlebox_hop) << n.name;
        }
    }
}

TEST(LabCaptures, ServerResetThroughCookedPcapng) {
    auto c = analyse({std::string(SNIPROBE_TEST_DATA) + "/pcap/server_reset.pcapng"});
    const auto& n = name(c, "blocked.test");
    EXPECT_EQ(n.diagnosis.verdict.cause, Cause::server_reset);
    // dumpcap -s 256 cut the hellos: the SNI is still read, and the cut is named.
    EXPECT_GT(c.anomalies["snaplen_cut_hello"], 0);
}

TEST(LabCaptures, HenanInjectionWithAControlName) {
    auto c = analyse({std::string(SNIPROBE_TEST_DATA) + "/pcap/injected_henan.pcapng"});
    const auto& d = name(c, "blocked.test").diagnosis;
    EXPECT_EQ(d.verdict.cause, Cause::sni_reset);
    EXPECT_EQ(d.target.control_sni, "ok.test");
    EXPECT_TRUE(cites(d.verdict, "E_RST_SIGNATURE"));
}

// A capture with more flows than the judged sample: every flow is still listed, the
// verdict reads the first of each name, address and outcome, and says so; it is the
// verdict (cause, evidence) the whole capture gets.
TEST(RealCaptures, JudgedSampleKeepsTheVerdict) {
    const std::string file = k_real + "zeek_tls-protocol-version-alert.pcap";
    CaptureAnalysis whole = offline::read_captures({file});
    offline::judge_captures(whole);
    offline::AnalyzeOptions options;
    options.judged_per_group = 1;
    CaptureAnalysis sample = offline::read_captures({file}, options);
    EXPECT_EQ(sample.flows.size(), 2U);
    EXPECT_EQ(sample.trials.size(), 1U);
    EXPECT_EQ(sample.flows_not_judged, 1U);
    offline::judge_captures(sample);
    const auto& w = name(whole, "tls13.crypto.mozilla.org");
    const auto& s = name(sample, "tls13.crypto.mozilla.org");
    EXPECT_EQ(s.flows, w.flows);  // both flows listed under the name
    EXPECT_EQ(s.diagnosis.trials.size(), 1U);
    EXPECT_EQ(s.diagnosis.verdict.cause, w.diagnosis.verdict.cause);
    ASSERT_EQ(s.diagnosis.verdict.evidence.size(), w.diagnosis.verdict.evidence.size());
    for (size_t i = 0; i < s.diagnosis.verdict.evidence.size(); ++i)
        EXPECT_EQ(s.diagnosis.verdict.evidence[i].id, w.diagnosis.verdict.evidence[i].id);
    EXPECT_TRUE(
        std::any_of(s.diagnosis.notes.begin(), s.diagnosis.notes.end(), [](const std::string& n) {
            return n.find("reads 1 of these 2") != std::string::npos &&
                   n.find("(all of them: alert 2)") != std::string::npos;
        }));
    EXPECT_TRUE(
        std::none_of(w.diagnosis.notes.begin(), w.diagnosis.notes.end(),
                     [](const std::string& n) { return n.find("reads") != std::string::npos; }));
    // Side and anomalies come from every flow, judged or not.
    EXPECT_EQ(sample.side, whole.side);
    EXPECT_EQ(sample.anomalies, whole.anomalies);
}

}  // namespace
}  // namespace sniprobe
