// full_verify's certificate classification against loopback servers with certificates
// made in the test: a trusted chain, a self-signed leaf, a wrong name, an expired leaf
// and a leaf whose intermediate the server forgot to send.
#include <gtest/gtest.h>

#include "probe/engine.hpp"
#include "tls_test_server.hpp"

namespace sniprobe {
namespace {

using test::make_cert;
using test::PemFile;
using test::ServerMode;
using test::TestCert;
using test::TestServer;

constexpr const char* k_name = "test.sniprobe";
constexpr long k_day = 24 * 3600;

struct Pki {
    TestCert root =
        make_cert("sniprobe test root", nullptr, -k_day, 365 * k_day, test::CertKind::ca);
    TestCert intermediate =
        make_cert("sniprobe test intermediate", &root, -k_day, 365 * k_day, test::CertKind::ca);
    PemFile root_file{{&root}};
};

Pki& pki() {
    static Pki p;
    return p;
}

// One full_verify trial against a server presenting `leaf` (+ `extra` in its chain).
Trial verify_against(const TestCert& leaf, const TestCert* extra = nullptr,
                     const std::string& name = k_name) {
    TestServer server(ServerMode::complete, 1, &leaf, extra);
    PlannedTrial p;
    p.variant = Variant::full_verify;
    p.address = "127.0.0.1";
    p.port = server.port();
    p.server_name = name;
    ProbeOptions o;
    o.timeout_ms = 3000;
    o.ca_file = pki().root_file.path();
    auto trials = run_trials({p}, o);
    EXPECT_EQ(trials.size(), 1u);
    return trials.empty() ? Trial{} : trials[0];
}

TEST(FullVerify, TrustedChainVerifies) {
    auto leaf = make_cert(k_name, &pki().root, -k_day, 30 * k_day, test::CertKind::leaf);
    Trial t = verify_against(leaf);
    EXPECT_TRUE(t.ok()) << t.failure;
    ASSERT_TRUE(t.certificate);
    EXPECT_TRUE(t.certificate->verified);
    EXPECT_EQ(t.certificate->problem, CertProblem::none);
    ASSERT_EQ(t.certificate->chain_subjects.size(), 1u);
    EXPECT_EQ(t.certificate->chain_subjects[0], "CN=test.sniprobe");
    EXPECT_EQ(t.certificate->leaf_not_after.size(), 20u);  // 2026-12-27T14:59:50Z
    EXPECT_EQ(t.certificate->leaf_not_after.back(), 'Z');
}

TEST(FullVerify, SelfSignedLeaf) {
    auto leaf = make_cert(k_name, nullptr, -k_day, 30 * k_day, test::CertKind::leaf);
    Trial t = verify_against(leaf);
    EXPECT_EQ(t.failure, FailureCode::ssl_unknown_authority);
    EXPECT_EQ(t.failed_operation, FailedOperation::tls_handshake);
    ASSERT_TRUE(t.certificate);
    EXPECT_EQ(t.certificate->problem, CertProblem::self_signed);
    EXPECT_FALSE(t.certificate->verified);
    EXPECT_NE(t.certificate->openssl_code, 0);
    EXPECT_FALSE(t.tls_version.empty());  // the handshake itself completed
}

TEST(FullVerify, NameMismatch) {
    auto leaf = make_cert("other.sniprobe", &pki().root, -k_day, 30 * k_day, test::CertKind::leaf);
    Trial t = verify_against(leaf);
    EXPECT_EQ(t.failure, FailureCode::ssl_invalid_hostname);
    ASSERT_TRUE(t.certificate);
    EXPECT_EQ(t.certificate->problem, CertProblem::name_mismatch);
}

TEST(FullVerify, Expired) {
    auto leaf = make_cert(k_name, &pki().root, -30 * k_day, -k_day, test::CertKind::leaf);
    Trial t = verify_against(leaf);
    EXPECT_EQ(t.failure, FailureCode::ssl_invalid_certificate);
    ASSERT_TRUE(t.certificate);
    EXPECT_EQ(t.certificate->problem, CertProblem::expired);
}

TEST(FullVerify, NotYetValid) {
    auto leaf = make_cert(k_name, &pki().root, 10 * k_day, 30 * k_day, test::CertKind::leaf);
    Trial t = verify_against(leaf);
    ASSERT_TRUE(t.certificate);
    EXPECT_EQ(t.certificate->problem, CertProblem::not_yet_valid);
}

TEST(FullVerify, MissingIntermediateIsChainIncomplete) {
    auto leaf = make_cert(k_name, &pki().intermediate, -k_day, 30 * k_day, test::CertKind::leaf);
    Trial incomplete = verify_against(leaf);
    EXPECT_EQ(incomplete.failure, FailureCode::ssl_unknown_authority);
    ASSERT_TRUE(incomplete.certificate);
    EXPECT_EQ(incomplete.certificate->problem, CertProblem::chain_incomplete);

    Trial complete = verify_against(leaf, &pki().intermediate);
    EXPECT_TRUE(complete.ok()) << complete.failure;
    ASSERT_TRUE(complete.certificate);
    EXPECT_EQ(complete.certificate->chain_subjects.size(), 2u);
}

}  // namespace
}  // namespace sniprobe
