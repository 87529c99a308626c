// QUIC probes against a real QUIC server on loopback: Debian's ngtcp2 example server
// (gtlsserver, GnuTLS) answers every forged hello shape's Initials with a ServerHello for
// TLS 1.3, with and without a name and with GREASE ECH; a version ping gets a Version
// Negotiation offering version 1; a closed port gets an ICMP port unreachable; a probe
// that reuses an earlier probe's source port gets that port. Skipped when gtlsserver is
// not installed (scripts/setup.sh installs ngtcp2-server).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "quic/exchange.hpp"
#include "support/certs.hpp"
#include "support/temp.hpp"
#include "util/fd.hpp"
#include "util/subprocess.hpp"

namespace sniprobe::quic {
namespace {

constexpr const char* k_gtlsserver = "/usr/sbin/gtlsserver";

// A UDP port nothing is bound to right now.
uint16_t free_udp_port() {
    Fd fd(::socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

ProbeRequest ping(uint16_t port) {
    ProbeRequest r;
    r.kind = ProbeKind::version_ping;
    r.address = "127.0.0.1";
    r.port = port;
    r.timeout_ms = 200;
    return r;
}

class QuicServer : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists(k_gtlsserver)) GTEST_SKIP() << "ngtcp2-server not installed";
        auto cert = test::make_cert("quic.test");
        ASSERT_TRUE(test::write_pem(cert, m_dir.file("cert.pem"), m_dir.file("key.pem")));
        m_port = free_udp_port();
        auto pid = spawn_background({k_gtlsserver, "-q", "127.0.0.1", std::to_string(m_port),
                                     m_dir.file("key.pem"), m_dir.file("cert.pem")},
                                    m_dir.file("server.log"));
        ASSERT_TRUE(pid) << pid.error().message;
        m_pid = *pid;
        // Ready once it answers a version ping: one ping every 20 ms (a refused one returns at
        // once), for at most 5 s.
        for (int i = 0; i < 250 && !m_ready; ++i) {
            m_ready = run_probes({ping(m_port)}, 1)[0].outcome == ProbeOutcome::version_negotiation;
            if (!m_ready) ::poll(nullptr, 0, 20);
        }
        ASSERT_TRUE(m_ready) << "gtlsserver did not answer on port " << m_port;
    }
    void TearDown() override {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
    }
    ProbeRequest hello(forge::Shape shape, const std::string& name) const {
        ProbeRequest r;
        r.address = "127.0.0.1";
        r.port = m_port;
        r.shape = shape;
        r.server_name = name;
        r.timeout_ms = 3000;
        return r;
    }

    test::TempDir m_dir{"sniprobe-quic"};
    uint16_t m_port = 0;
    pid_t m_pid = 0;
    bool m_ready = false;
};

TEST_F(QuicServer, EveryShapeGetsAServerHello) {
    std::vector<ProbeRequest> requests;
    for (forge::Shape shape : forge::all_shapes()) {
        requests.push_back(hello(shape, "quic.test"));
        requests.push_back(hello(shape, ""));
    }
    auto grease = hello(forge::Shape::openssl, "quic.test");
    grease.ech = forge::EchGrease::on;
    requests.push_back(grease);
    auto results = run_probes(requests, 4);
    ASSERT_EQ(results.size(), requests.size());
    for (size_t i = 0; i < results.size(); ++i) {
        SCOPED_TRACE(std::string(forge::shape_name(requests[i].shape)) + " '" +
                     requests[i].server_name + "'");
        const auto& r = results[i];
        EXPECT_EQ(r.outcome, ProbeOutcome::server_hello)
            << probe_outcome_name(r.outcome) << " " << quic_anomaly_name(r.anomaly) << " "
            << r.error;
        EXPECT_EQ(r.reply.version(), 0x0304);
        EXPECT_TRUE(r.first_reply_ms);
        EXPECT_GT(r.local_port, 0);
        EXPECT_EQ(r.datagrams_sent, requests[i].shape == forge::Shape::chrome ? 2u : 1u);
    }
}

TEST_F(QuicServer, AVersionPingGetsVersionNegotiationOfferingVersionOne) {
    auto r = run_probes({ping(m_port)}, 1)[0];
    ASSERT_EQ(r.outcome, ProbeOutcome::version_negotiation);
    EXPECT_NE(std::find(r.offered_versions.begin(), r.offered_versions.end(), k_version_1),
              r.offered_versions.end());
}

TEST_F(QuicServer, AFollowUpReusesTheTriggersSourcePort) {
    auto first = hello(forge::Shape::firefox, "quic.test");
    auto again = hello(forge::Shape::firefox, "other.test");
    again.same_port_as = 0;
    again.start_after_ms = 50;
    auto results = run_probes({first, again}, 2);
    ASSERT_EQ(results[0].outcome, ProbeOutcome::server_hello);
    ASSERT_EQ(results[1].outcome, ProbeOutcome::server_hello);
    EXPECT_EQ(results[1].local_port, results[0].local_port);
    EXPECT_GE(results[1].started_s - results[0].started_s, 0.045);
}

TEST_F(QuicServer, AConfirmingProbeIsSkippedWhenTheFirstWasAnswered) {
    auto first = hello(forge::Shape::firefox, "quic.test");
    auto confirm = hello(forge::Shape::firefox, "quic.test");
    confirm.only_if_unanswered = 0;
    auto results = run_probes({first, confirm}, 2);
    ASSERT_EQ(results[0].outcome, ProbeOutcome::server_hello);
    EXPECT_TRUE(results[1].skipped);
    EXPECT_EQ(results[1].datagrams_sent, 0u);
    // Unanswered (a closed port): the confirming probe runs.
    auto closed = ping(free_udp_port());
    auto again = ping(closed.port);
    again.only_if_unanswered = 0;
    auto r = run_probes({closed, again}, 2);
    EXPECT_EQ(r[0].outcome, ProbeOutcome::refused);
    EXPECT_FALSE(r[1].skipped);
    EXPECT_EQ(r[1].outcome, ProbeOutcome::refused);
}

TEST(QuicProbe, AClosedPortIsRefusedAndABadAddressIsALocalError) {
    auto r = run_probes({ping(free_udp_port())}, 1)[0];
    EXPECT_EQ(r.outcome, ProbeOutcome::refused);
    ProbeRequest bad;
    bad.address = "not-an-address";
    auto b = run_probes({bad}, 1)[0];
    EXPECT_EQ(b.outcome, ProbeOutcome::local_error);
    EXPECT_FALSE(b.error.empty());
}

}  // namespace
}  // namespace sniprobe::quic
