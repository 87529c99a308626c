// The lab PKI must produce exactly one defect per broken name, as a client verifying
// against the lab CA sees it: ok.test verifies, chain.test lacks its issuer,
// expired.test has expired, other.test does not match mismatch.test.
#include "lab/pki.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "support/temp.hpp"

namespace sniprobe::lab {
namespace {

namespace fs = std::filesystem;

std::vector<X509*> read_certs(const std::string& path) {
    std::vector<X509*> out;
    FILE* f = std::fopen(path.c_str(), "r");
    if (!f) return out;
    while (X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr)) out.push_back(x);
    std::fclose(f);
    return out;
}

// How many certificates a PEM file holds.
size_t count_certs(const std::string& path) {
    auto certs = read_certs(path);
    for (X509* x : certs) X509_free(x);
    return certs.size();
}

// Verifies a served chain file against the CA; returns the X509_V_ERR code (0 = ok).
int verify_served_chain(const Pki& pki, const std::string& name,
                        const char* expected_host = nullptr) {
    auto roots = read_certs(pki.ca_file);
    auto served = read_certs(pki.leaf(name)->certificate_file);
    EXPECT_EQ(roots.size(), 1u);
    EXPECT_FALSE(served.empty());
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, roots[0]);
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    for (size_t i = 1; i < served.size(); ++i) sk_X509_push(untrusted, served[i]);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, served[0], untrusted);
    if (expected_host)
        X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), expected_host, 0);
    int ok = X509_verify_cert(ctx);
    int err = ok == 1 ? 0 : X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
    for (X509* x : roots) X509_free(x);
    for (X509* x : served) X509_free(x);
    return err;
}

class PkiTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s_dir = new test::TempDir("sniprobe-pki-test");
        auto made = make_pki(s_dir->path().string(), lab_leaf_specs());
        ASSERT_TRUE(made) << made.error().message;
        s_pki = new Pki(*made);
    }
    static void TearDownTestSuite() {
        delete s_pki;
        delete s_dir;
    }
    static test::TempDir* s_dir;
    static Pki* s_pki;
};
test::TempDir* PkiTest::s_dir = nullptr;
Pki* PkiTest::s_pki = nullptr;

TEST_F(PkiTest, ValidNamesVerifyWithTheirChain) {
    for (const char* name : {"ok.test", "blocked.test", "default.test"})
        EXPECT_EQ(verify_served_chain(*s_pki, name, name), 0) << name;
}

TEST_F(PkiTest, ChainTestLacksItsIntermediate) {
    EXPECT_EQ(count_certs(s_pki->leaf("chain.test")->certificate_file), 1u);
    EXPECT_EQ(verify_served_chain(*s_pki, "chain.test"),
              X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(PkiTest, ExpiredTestHasExpired) {
    EXPECT_EQ(verify_served_chain(*s_pki, "expired.test"), X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_F(PkiTest, OtherTestDoesNotMatchMismatchTest) {
    EXPECT_EQ(verify_served_chain(*s_pki, "other.test", "other.test"), 0);
    EXPECT_EQ(verify_served_chain(*s_pki, "other.test", "mismatch.test"),
              X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_F(PkiTest, KeysArePrivate) {
    struct stat st {};
    ASSERT_EQ(::stat(s_pki->leaf("ok.test")->key_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST_F(PkiTest, UnknownLeafIsNull) {
    EXPECT_EQ(s_pki->leaf("nope.test"), nullptr);
}

}  // namespace
}  // namespace sniprobe::lab
