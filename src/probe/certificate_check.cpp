// Classifying the server's certificate after a full_verify handshake. The handshake runs
// with SSL_VERIFY_NONE so it completes and the chain can be recorded; OpenSSL still
// verifies the chain (and the host name set with SSL_set1_host) and keeps the result.
// The quirk is X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: it means "incomplete chain"
// (the server forgot its intermediate — browsers often paper over it by fetching the
// intermediate themselves, curl does not) only when the leaf is not self-signed and no
// certificate the server sent is a root; otherwise the CA is simply untrusted.
#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <limits>
#include <memory>
#include <vector>

#include "probe/tls_session.hpp"
#include "util/openssl_ptr.hpp"

namespace sniprobe {
namespace {

bool self_signed(X509* cert) {
    return X509_check_issued(cert, cert) == X509_V_OK;
}

std::string subject_of(X509* cert) {
    UniqueBio bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, len > 0 ? static_cast<size_t>(len) : 0);
}

std::string iso_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Each certificate of the chain (leaf first) issued by the next one.
bool connected(STACK_OF(X509) * chain) {
    for (int i = 0; i + 1 < sk_X509_num(chain); ++i)
        if (X509_check_issued(sk_X509_value(chain, i + 1), sk_X509_value(chain, i)) != X509_V_OK)
            return false;
    return true;
}

CertProblem classify(long code, STACK_OF(X509) * chain) {
    switch (code) {
        case X509_V_OK:
            return CertProblem::none;
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return CertProblem::expired;
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return CertProblem::not_yet_valid;
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return CertProblem::name_mismatch;
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            return CertProblem::self_signed;
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return CertProblem::untrusted;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
            int n = chain ? sk_X509_num(chain) : 0;
            if (n == 0) return CertProblem::untrusted;
            if (self_signed(sk_X509_value(chain, 0))) return CertProblem::self_signed;
            for (int i = 1; i < n; ++i)
                if (self_signed(sk_X509_value(chain, i))) return CertProblem::untrusted;
            // The server sent intermediates and each one issued the certificate before it:
            // the chain is whole as far as servers send it (roots are left out), so it is the
            // root that this trust store lacks (an old capture's root may have left it since),
            // not an intermediate the server forgot. A lone leaf, or a gap, is incomplete.
            if (n >= 2 && connected(chain)) return CertProblem::untrusted;
            return CertProblem::chain_incomplete;
        }
        default:
            return CertProblem::other;
    }
}

}  // namespace

CertificateCheck TlsSession::check_certificate() const {
    CertificateCheck check;
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(m_ssl);  // leaf first on the client
    for (int i = 0; chain && i < sk_X509_num(chain); ++i)
        check.chain_subjects.push_back(subject_of(sk_X509_value(chain, i)));
    if (chain && sk_X509_num(chain) > 0)
        check.leaf_not_after = iso_time(X509_get0_notAfter(sk_X509_value(chain, 0)));
    long code = SSL_get_verify_result(m_ssl);
    if (!chain || sk_X509_num(chain) == 0) code = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
    check.openssl_code = static_cast<int>(code);
    check.openssl_message = X509_verify_cert_error_string(code);
    check.problem = classify(code, chain);
    check.verified = check.problem == CertProblem::none;
    return check;
}

CertificateCheck check_certificate_chain(const std::vector<std::vector<uint8_t>>& der_chain,
                                         const std::string& host, double at_unix) {
    ValidityWindow window;
    return check_certificate_chain(der_chain, host, at_unix, window);
}

CertificateCheck check_certificate_chain(const std::vector<std::vector<uint8_t>>& der_chain,
                                         const std::string& host, double at_unix,
                                         ValidityWindow& window) {
    CertificateCheck check;
    // An undecodable validity date leaves the window empty: such a result is not reused.
    window = ValidityWindow{-std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::infinity()};
    auto narrow = [&](const ASN1_TIME* t) {
        std::tm tm{};
        if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
            window = ValidityWindow{at_unix, at_unix};
            return;
        }
        const auto edge = static_cast<double>(timegm(&tm));
        if (edge == at_unix)
            window = ValidityWindow{at_unix, at_unix};
        else if (edge < at_unix)
            window.from = std::max(window.from, edge);
        else
            window.until = std::min(window.until, edge);
    };
    using UniqueChain =
        std::unique_ptr<STACK_OF(X509),
                        decltype([](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); })>;
    UniqueChain chain(sk_X509_new_null());
    for (const auto& der : der_chain) {
        const unsigned char* p = der.data();
        X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
        if (cert == nullptr) break;  // an undecodable certificate ends the usable chain
        if (sk_X509_push(chain.get(), cert) <= 0) {
            X509_free(cert);
            break;
        }
    }
    const int n = sk_X509_num(chain.get());
    for (int i = 0; i < n; ++i)
        check.chain_subjects.push_back(subject_of(sk_X509_value(chain.get(), i)));
    for (int i = 0; i < n; ++i) {
        narrow(X509_get0_notBefore(sk_X509_value(chain.get(), i)));
        narrow(X509_get0_notAfter(sk_X509_value(chain.get(), i)));
    }
    long code = X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
    if (n > 0) {
        X509* leaf = sk_X509_value(chain.get(), 0);
        check.leaf_not_after = iso_time(X509_get0_notAfter(leaf));
        // The system store, loaded once: a capture may hold thousands of handshakes.
        static X509_STORE* const store = [] {
            X509_STORE* s = X509_STORE_new();
            if (s != nullptr && X509_STORE_set_default_paths(s) != 1) {
                X509_STORE_free(s);
                s = nullptr;
            }
            return s;
        }();
        std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                            X509_STORE_CTX_free);
        if (store != nullptr && ctx &&
            X509_STORE_CTX_init(ctx.get(), store, leaf, chain.get()) == 1) {
            X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
            X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at_unix));
            if (!host.empty()) X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
            code =
                X509_verify_cert(ctx.get()) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
        }
        // Expiry is the leaf's own fact: it holds whatever the trust store says about the
        // issuer (an old capture's root may have left today's store since).
        if (code != X509_V_OK && code != X509_V_ERR_HOSTNAME_MISMATCH) {
            time_t at = static_cast<time_t>(at_unix);
            if (X509_cmp_time(X509_get0_notAfter(leaf), &at) < 0)
                code = X509_V_ERR_CERT_HAS_EXPIRED;
            else if (X509_cmp_time(X509_get0_notBefore(leaf), &at) > 0)
                code = X509_V_ERR_CERT_NOT_YET_VALID;
        }
    }
    check.openssl_code = static_cast<int>(code);
    check.openssl_message = X509_verify_cert_error_string(code);
    check.problem = classify(code, n > 0 ? chain.get() : nullptr);
    check.verified = check.problem == CertProblem::none;
    return check;
}

std::string failure_for_certificate(const CertificateCheck& check) {
    if (check.verified) return "";
    if (check.problem == CertProblem::name_mismatch) return "ssl_invalid_hostname";
    if (check.problem == CertProblem::self_signed || check.problem == CertProblem::untrusted ||
        check.problem == CertProblem::chain_incomplete)
        return "ssl_unknown_authority";
    return "ssl_invalid_certificate";
}

}  // namespace sniprobe
