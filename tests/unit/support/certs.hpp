// Test certificates made with the OpenSSL API: a key (P-256) and an X.509 v3 certificate
// for a chosen name and validity window, self-signed or signed by another test
// certificate (a test CA), and written to PEM files for code that takes paths.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "support/temp.hpp"

namespace sniprobe::test {

struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};

// A key and its certificate.
struct TestCert {
    std::unique_ptr<EVP_PKEY, PkeyFree> key;
    std::unique_ptr<X509, X509Free> cert;
};

enum class CertKind { leaf, ca };

// A certificate for `name` (CN; leaves also get it as a DNS subjectAltName), valid from
// now+not_before_s to now+not_after_s, signed by `issuer` (self-signed when null).
TestCert make_cert(const std::string& name, const TestCert* issuer = nullptr,
                   long not_before_s = -60, long not_after_s = 3600,
                   CertKind kind = CertKind::leaf);

// Writes the certificate, and the private key when key_file is not empty, as PEM.
// False if a file cannot be written.
bool write_pem(const TestCert& cert, const std::string& cert_file,
               const std::string& key_file = "");

// Writes several certificates (a chain, a trust bundle) to one PEM file.
bool write_pem_bundle(const std::vector<const TestCert*>& certs, const std::string& file);

// A temporary PEM file holding certificates (a trust bundle), removed when destroyed.
class PemFile {
  public:
    explicit PemFile(const std::vector<const TestCert*>& certs);
    const std::string& path() const { return m_file.path(); }

  private:
    TempFile m_file{"sniprobe-pem"};
};

}  // namespace sniprobe::test
