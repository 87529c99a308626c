// Certificate generation for the lab; see pki.hpp. P-256 keys keep `lab up` fast (a
// key takes well under a millisecond). Every certificate carries the extensions a
// modern verifier insists on (basicConstraints, keyUsage, SKI/AKI, and for leaves
// subjectAltName + serverAuth), so the only thing wrong with a broken leaf is the one
// defect it was made to have. Validity starts a day early to tolerate clock skew.
#include "lab/pki.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <system_error>

#include "util/openssl_ptr.hpp"

namespace sniprobe::lab {
namespace {

constexpr long k_day_s = 24L * 60 * 60;

std::string openssl_error(const std::string& what) {
    unsigned long code = ERR_get_error();
    char buf[256] = "unknown error";
    if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
    ERR_clear_error();
    return what + ": " + buf;
}

// A certificate and the key that signs with it.
struct Issuer {
    UniqueX509 cert;
    UniqueEvpPkey key;
};

// What to put in one certificate.
struct CertSpec {
    std::string common_name;
    long not_before_s = -k_day_s;  // offsets from now
    long not_after_s = 30 * k_day_s;
    bool is_ca = false;
    std::string dns_name;  // leaves only
};

Result<UniqueEvpPkey> make_key() {
    UniqueEvpPkey key(EVP_EC_gen("P-256"));
    if (!key) return fail(openssl_error("cannot generate a P-256 key"));
    return key;
}

Result<void> add_extension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
    if (!ext) return fail(openssl_error(std::string("bad extension ") + value));
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (!ok) return fail(openssl_error("cannot add an extension"));
    return {};
}

// Builds and signs one certificate; `issuer` null means self-signed.
Result<UniqueX509> make_cert(const CertSpec& spec, EVP_PKEY* subject_key, const Issuer* issuer) {
    UniqueX509 cert(X509_new());
    if (!cert) return fail(openssl_error("X509_new"));
    X509* x = cert.get();
    uint64_t serial = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1)
        return fail(openssl_error("RAND_bytes"));
    serial >>= 1;  // positive
    if (!X509_set_version(x, X509_VERSION_3) ||
        !ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), spec.not_before_s) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), spec.not_after_s) ||
        !X509_set_pubkey(x, subject_key))
        return fail(openssl_error("cannot fill in a certificate"));
    X509_NAME* name = X509_get_subject_name(x);
    auto add_name = [&](const char* field, const std::string& value) {
        return X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                          reinterpret_cast<const unsigned char*>(value.c_str()), -1,
                                          -1, 0);
    };
    if (!add_name("O", "sniprobe lab") || !add_name("CN", spec.common_name))
        return fail(openssl_error("cannot set the subject"));
    X509* issuer_cert = issuer ? issuer->cert.get() : x;
    if (!X509_set_issuer_name(x, X509_get_subject_name(issuer_cert)))
        return fail(openssl_error("cannot set the issuer"));

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer_cert, x, nullptr, nullptr, 0);
    struct Ext {
        int nid;
        std::string value;
    };
    std::vector<Ext> exts;
    if (spec.is_ca) {
        exts = {{NID_basic_constraints, issuer ? "critical,CA:TRUE,pathlen:0" : "critical,CA:TRUE"},
                {NID_key_usage, "critical,keyCertSign,cRLSign"}};
    } else {
        exts = {{NID_basic_constraints, "critical,CA:FALSE"},
                {NID_key_usage, "critical,digitalSignature"},
                {NID_ext_key_usage, "serverAuth"},
                {NID_subject_alt_name, "DNS:" + spec.dns_name}};
    }
    exts.push_back({NID_subject_key_identifier, "hash"});
    // The root's own SKI must exist before its AKI can point at it.
    for (const auto& ext : exts)
        if (auto added = add_extension(x, &ctx, ext.nid, ext.value.c_str()); !added)
            return tl::unexpected(added.error());
    if (issuer)
        if (auto added = add_extension(x, &ctx, NID_authority_key_identifier, "keyid:always");
            !added)
            return tl::unexpected(added.error());

    EVP_PKEY* signing_key = issuer ? issuer->key.get() : subject_key;
    if (X509_sign(x, signing_key, EVP_sha256()) <= 0) return fail(openssl_error("cannot sign"));
    return cert;
}

Result<void> write_pem(const std::string& path, const std::vector<X509*>& certs, EVP_PKEY* key) {
    UniqueBio bio(BIO_new_file(path.c_str(), "w"));
    if (!bio) return fail(openssl_error("cannot write " + path));
    if (key) {
        ::chmod(path.c_str(), 0600);
        if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
            return fail(openssl_error("cannot write " + path));
    }
    for (X509* cert : certs)
        if (!PEM_write_bio_X509(bio.get(), cert))
            return fail(openssl_error("cannot write " + path));
    return {};
}

Result<Issuer> make_issuer(const std::string& common_name, const Issuer* parent) {
    auto key = make_key();
    if (!key) return tl::unexpected(key.error());
    CertSpec spec{common_name, -k_day_s, 365 * k_day_s, true, ""};
    auto cert = make_cert(spec, key->get(), parent);
    if (!cert) return tl::unexpected(cert.error());
    return Issuer{std::move(*cert), std::move(*key)};
}

}  // namespace

const LeafFiles* Pki::leaf(const std::string& dns_name) const {
    for (const auto& l : leaves)
        if (l.dns_name == dns_name) return &l;
    return nullptr;
}

std::vector<LeafSpec> lab_leaf_specs() {
    return {{"ok.test", Validity::current, ChainForm::full},
            {"blocked.test", Validity::current, ChainForm::full},
            {"default.test", Validity::current, ChainForm::full},
            {"chain.test", Validity::current, ChainForm::leaf_only},
            {"expired.test", Validity::expired, ChainForm::full},
            {"dual.test", Validity::current, ChainForm::full},
            {"other.test", Validity::current, ChainForm::full}};
}

Result<Pki> make_pki(const std::string& dir, const std::vector<LeafSpec>& leaves) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail("cannot create " + dir + ": " + ec.message());

    auto root = make_issuer("sniprobe lab root CA", nullptr);
    if (!root) return tl::unexpected(root.error());
    auto intermediate = make_issuer("sniprobe lab intermediate CA", &*root);
    if (!intermediate) return tl::unexpected(intermediate.error());

    Pki pki;
    pki.ca_file = dir + "/ca.pem";
    pki.intermediate_file = dir + "/intermediate.pem";
    if (auto w = write_pem(pki.ca_file, {root->cert.get()}, nullptr); !w)
        return tl::unexpected(w.error());
    if (auto w = write_pem(pki.intermediate_file, {intermediate->cert.get()}, nullptr); !w)
        return tl::unexpected(w.error());

    for (const auto& leaf : leaves) {
        auto key = make_key();
        if (!key) return tl::unexpected(key.error());
        CertSpec spec{leaf.dns_name, -k_day_s, 30 * k_day_s, false, leaf.dns_name};
        if (leaf.validity == Validity::expired) {
            spec.not_before_s = -60 * k_day_s;
            spec.not_after_s = -k_day_s;
        }
        auto cert = make_cert(spec, key->get(), &*intermediate);
        if (!cert) return tl::unexpected(cert.error());
        LeafFiles files{leaf.dns_name, dir + "/" + leaf.dns_name + ".pem",
                        dir + "/" + leaf.dns_name + ".key"};
        std::vector<X509*> chain{cert->get()};
        if (leaf.chain == ChainForm::full) chain.push_back(intermediate->cert.get());
        if (auto w = write_pem(files.certificate_file, chain, nullptr); !w)
            return tl::unexpected(w.error());
        if (auto w = write_pem(files.key_file, {}, key->get()); !w)
            return tl::unexpected(w.error());
        pki.leaves.push_back(std::move(files));
    }
    return pki;
}

}  // namespace sniprobe::lab
