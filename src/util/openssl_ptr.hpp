// Owning pointers for the OpenSSL objects sniprobe creates (SSL, SSL_CTX, X509, EVP_PKEY,
// BIO), each freed with its own OpenSSL function exactly once. This header includes the
// OpenSSL headers, so only .cpp files (and tests) of stages that link OpenSSL include it;
// public headers forward-declare the OpenSSL structs instead. It is header-only so that
// util itself links no OpenSSL.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace sniprobe {

// Calls the OpenSSL function that frees one kind of object.
struct OpensslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
    void operator()(X509* cert) const { X509_free(cert); }
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
    // The whole chain: a BIO pushed onto another is freed with it.
    void operator()(BIO* bio) const { BIO_free_all(bio); }
};

using UniqueSsl = std::unique_ptr<SSL, OpensslFree>;
using UniqueSslCtx = std::unique_ptr<SSL_CTX, OpensslFree>;
using UniqueX509 = std::unique_ptr<X509, OpensslFree>;
using UniqueEvpPkey = std::unique_ptr<EVP_PKEY, OpensslFree>;
using UniqueBio = std::unique_ptr<BIO, OpensslFree>;

}  // namespace sniprobe
