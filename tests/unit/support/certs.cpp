// make_cert and the PEM writers (see certs.hpp). Serial numbers count up per process so
// a chain built in one test never has two certificates with the same issuer and serial.
#include "support/certs.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>

namespace sniprobe::test {

TestCert make_cert(const std::string& name, const TestCert* issuer, long not_before_s,
                   long not_after_s, CertKind kind) {
    static std::atomic<long> serial{1};
    TestCert out;
    out.key.reset(EVP_EC_gen("P-256"));
    out.cert.reset(X509_new());
    X509* x = out.cert.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(x), not_before_s);
    X509_gmtime_adj(X509_getm_notAfter(x), not_after_s);
    X509_set_pubkey(x, out.key.get());
    X509_NAME* subject = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->cert.get()) : subject);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer->cert.get() : x, x, nullptr, nullptr, 0);
    auto add = [&](int nid, const std::string& value) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    };
    if (kind == CertKind::ca) {
        add(NID_basic_constraints, "critical,CA:TRUE");
        add(NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add(NID_basic_constraints, "CA:FALSE");
        add(NID_subject_alt_name, "DNS:" + name);
    }
    add(NID_subject_key_identifier, "hash");
    X509_sign(x, issuer ? issuer->key.get() : out.key.get(), EVP_sha256());
    return out;
}

bool write_pem(const TestCert& cert, const std::string& cert_file, const std::string& key_file) {
    if (!write_pem_bundle({&cert}, cert_file)) return false;
    if (key_file.empty()) return true;
    FILE* f = std::fopen(key_file.c_str(), "w");
    if (!f) return false;
    bool ok = PEM_write_PrivateKey(f, cert.key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    return std::fclose(f) == 0 && ok;
}

bool write_pem_bundle(const std::vector<const TestCert*>& certs, const std::string& file) {
    FILE* f = std::fopen(file.c_str(), "w");
    if (!f) return false;
    bool ok = true;
    for (const TestCert* c : certs) ok = PEM_write_X509(f, c->cert.get()) == 1 && ok;
    return std::fclose(f) == 0 && ok;
}

PemFile::PemFile(const std::vector<const TestCert*>& certs) {
    if (!write_pem_bundle(certs, m_file.path()))
        throw std::runtime_error("cannot write " + m_file.path());
}

}  // namespace sniprobe::test
