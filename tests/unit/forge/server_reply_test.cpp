// The server-reply parser on hand-made records (ServerHello, HelloRetryRequest, alert,
// garbage, every truncation), and on what a real OpenSSL 3.0 server answers to every
// forged shape: in-process over memory BIOs, with an ECDSA and an RSA certificate. Chrome's
// hello must get a ServerHello for X25519 (OpenSSL 3.0 has no ML-KEM and skips the first
// share) or a HelloRetryRequest; every other shape a ServerHello.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

#include "forge/hello_forge.hpp"
#include "forge/server_reply.hpp"
#include "forge_test_util.hpp"

namespace sniprobe::forge {
namespace {

std::vector<uint8_t> record(uint8_t type, std::vector<uint8_t> body) {
    std::vector<uint8_t> r{type, 0x03, 0x03, static_cast<uint8_t>(body.size() >> 8),
                           static_cast<uint8_t>(body.size() & 0xff)};
    r.insert(r.end(), body.begin(), body.end());
    return r;
}

// A TLS 1.3 ServerHello (or HRR when hrr) choosing TLS_AES_128_GCM_SHA256 and `group`.
std::vector<uint8_t> server_hello(bool hrr, uint16_t group) {
    std::vector<uint8_t> body{0x03, 0x03};
    static const uint8_t k_hrr[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
                                      0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
                                      0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
                                      0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    for (int i = 0; i < 32; ++i) body.push_back(hrr ? k_hrr[i] : static_cast<uint8_t>(i));
    body.push_back(32);
    for (int i = 0; i < 32; ++i) body.push_back(0xaa);
    body.insert(body.end(), {0x13, 0x01, 0x00});
    std::vector<uint8_t> ext{0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33};
    if (hrr) {
        ext.insert(ext.end(),
                   {0x00, 0x02, static_cast<uint8_t>(group >> 8), static_cast<uint8_t>(group)});
    } else {
        ext.insert(ext.end(), {0x00, 0x24, static_cast<uint8_t>(group >> 8),
                               static_cast<uint8_t>(group), 0x00, 0x20});
        ext.insert(ext.end(), 32, 0x55);
    }
    body.push_back(static_cast<uint8_t>(ext.size() >> 8));
    body.push_back(static_cast<uint8_t>(ext.size()));
    body.insert(body.end(), ext.begin(), ext.end());
    std::vector<uint8_t> hs{0x02, 0x00, static_cast<uint8_t>(body.size() >> 8),
                            static_cast<uint8_t>(body.size())};
    hs.insert(hs.end(), body.begin(), body.end());
    return record(22, hs);
}

TEST(ServerReply, ReadsAServerHello) {
    auto bytes = server_hello(false, k_group_x25519);
    auto r = parse_server_reply(bytes);
    EXPECT_EQ(r.kind, ReplyKind::server_hello);
    EXPECT_EQ(r.version(), 0x0304);
    EXPECT_EQ(r.cipher_suite, 0x1301);
    EXPECT_EQ(r.key_share_group, k_group_x25519);
    EXPECT_EQ(r.record_bytes, bytes.size());
}

TEST(ServerReply, RecognisesTheHelloRetryRequestRandom) {
    auto r = parse_server_reply(server_hello(true, k_group_secp256r1));
    EXPECT_EQ(r.kind, ReplyKind::hello_retry_request);
    EXPECT_EQ(r.key_share_group, k_group_secp256r1);
}

TEST(ServerReply, ReadsAnAlert) {
    auto r = parse_server_reply(record(21, {2, 112}));
    EXPECT_EQ(r.kind, ReplyKind::alert);
    EXPECT_EQ(r.alert_level, 2);
    EXPECT_EQ(r.alert_description, 112);
    EXPECT_EQ(parse_server_reply(record(21, {2, 112, 0})).anomaly, ReplyAnomaly::bad_alert);
}

TEST(ServerReply, EveryPrefixIsIncompleteNotAnError) {
    auto bytes = server_hello(false, k_group_x25519);
    for (size_t n = 0; n < bytes.size(); ++n)
        EXPECT_EQ(parse_server_reply(std::span(bytes).first(n)).kind, ReplyKind::incomplete) << n;
}

TEST(ServerReply, NamesGarbage) {
    auto name = [](std::vector<uint8_t> b) { return parse_server_reply(b).anomaly; };
    std::string http = "HTTP/1.1 400 Bad Request\r\n";
    EXPECT_EQ(name({http.begin(), http.end()}), ReplyAnomaly::http_response);
    EXPECT_EQ(name({0x17, 0x03, 0x03, 0x00, 0x01, 0x00}), ReplyAnomaly::not_tls);
    EXPECT_EQ(name({0x16, 0x02, 0x00}), ReplyAnomaly::bad_record_version);
    EXPECT_EQ(name({0x16, 0x03, 0x03, 0xff, 0xff}), ReplyAnomaly::record_too_long);
    EXPECT_EQ(name(record(22, {0x0b, 0x00, 0x00, 0x00})), ReplyAnomaly::not_server_hello);
    EXPECT_EQ(name(record(22, {0x02, 0x00, 0x01, 0x00})), ReplyAnomaly::fragmented_server_hello);
    EXPECT_EQ(name(record(22, {0x02, 0x00, 0x00, 0x02, 0x03, 0x03})), ReplyAnomaly::truncated_body);
    auto bad_ext = server_hello(false, k_group_x25519);
    bad_ext[5 + 4 + 2 + 32 + 1 + 32 + 3] ^= 0x01;
    EXPECT_EQ(name(bad_ext), ReplyAnomaly::bad_extensions);
}

struct SslCtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

// An OpenSSL 3.0 server context with a self-signed certificate of the given key.
std::unique_ptr<SSL_CTX, SslCtxFree> server_context(EVP_PKEY* key) {
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("example.com"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_server_method()));
    SSL_CTX_use_certificate(ctx.get(), cert);
    SSL_CTX_use_PrivateKey(ctx.get(), key);
    X509_free(cert);
    return ctx;
}

// Feeds `hello` to a fresh server session and returns what it writes back.
std::vector<uint8_t> serve(SSL_CTX* ctx, std::span<const uint8_t> hello) {
    SSL* ssl = SSL_new(ctx);
    BIO* rbio = BIO_new(BIO_s_mem());
    BIO* wbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rbio, -1);
    SSL_set_bio(ssl, rbio, wbio);
    SSL_set_accept_state(ssl);
    BIO_write(rbio, hello.data(), static_cast<int>(hello.size()));
    SSL_do_handshake(ssl);
    std::vector<uint8_t> out(BIO_ctrl_pending(wbio));
    if (!out.empty()) BIO_read(wbio, out.data(), static_cast<int>(out.size()));
    SSL_free(ssl);
    return out;
}

TEST(ServerReply, Openssl30AnswersEveryShapeWithAServerHello) {
    EVP_PKEY* ec = EVP_EC_gen("P-256");
    EVP_PKEY* rsa = EVP_RSA_gen(2048);
    ASSERT_TRUE(ec && rsa);
    for (EVP_PKEY* key : {ec, rsa}) {
        auto ctx = server_context(key);
        for (Shape shape : all_shapes())
            for (EchGrease ech : {EchGrease::shape_default, EchGrease::on})
                for (const char* name : {"", "example.com"}) {
                    SCOPED_TRACE(std::string(shape_name(shape)) + " '" + name + "' " +
                                 (ech == EchGrease::on ? "ech" : "") +
                                 (key == rsa ? " rsa" : " ecdsa"));
                    ForgeOptions o;
                    o.shape = shape;
                    o.server_name = name;
                    o.ech = ech;
                    auto t = test::make_template(o);
                    for (int round = 0; round < 5; ++round) {
                        auto reply = parse_server_reply(serve(ctx.get(), t.forge().bytes));
                        ASSERT_EQ(reply.kind, ReplyKind::server_hello)
                            << reply_kind_name(reply.kind) << " "
                            << reply_anomaly_name(reply.anomaly) << " alert "
                            << int(reply.alert_description);
                        EXPECT_EQ(reply.version(), 0x0304);
                        // No ML-KEM in OpenSSL 3.0: X25519 from the next share.
                        EXPECT_EQ(reply.key_share_group, k_group_x25519);
                    }
                }
    }
    EVP_PKEY_free(ec);
    EVP_PKEY_free(rsa);
}

TEST(ServerReply, Openssl30AsksForARetryWhenNoOfferedShareFits) {
    // A server limited to P-256 gets Chrome's ML-KEM and X25519 shares: it must send an
    // HRR for P-256 (which Chrome lists in supported_groups), not an alert.
    EVP_PKEY* ec = EVP_EC_gen("P-256");
    auto ctx = server_context(ec);
    ASSERT_EQ(SSL_CTX_set1_groups_list(ctx.get(), "P-256"), 1);
    ForgeOptions o;
    o.shape = Shape::chrome;
    o.server_name = "example.com";
    auto t = test::make_template(o);
    auto reply = parse_server_reply(serve(ctx.get(), t.forge().bytes));
    EXPECT_EQ(reply.kind, ReplyKind::hello_retry_request);
    EXPECT_EQ(reply.key_share_group, k_group_secp256r1);
    EVP_PKEY_free(ec);
}

}  // namespace
}  // namespace sniprobe::forge
