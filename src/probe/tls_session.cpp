// TLS client sessions over memory BIOs (see tls_session.hpp). Handshake-only probes
// (every variant but full_verify) run the handshake to completion without verification:
// with TLS 1.3 that is one round trip (the client is done once the server's first flight
// is in), and a completed handshake proves more than a ServerHello — a box that lets the
// ServerHello through and kills the rest is caught. Browser-shaped and post-quantum
// sized hellos are not OpenSSL's: forge/ writes them byte by byte (OpenSSL 3.0 has no
// ML-KEM key share), and the probe hands OpenSSL no part in them.
#include "probe/tls_session.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <cctype>

#include "util/openssl_ptr.hpp"

namespace sniprobe {
namespace {

const unsigned char k_alpn[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// The handshake profile verifies nothing (SSL_VERIFY_NONE), yet OpenSSL would still build
// and check every server's chain against the context's empty store and then ignore the
// result. This callback stands in for that check: accepted, without the work.
int accept_chain_unchecked(X509_STORE_CTX* /*store*/, void* /*arg*/) {
    return 1;
}

std::atomic<long> g_contexts_built{0};

Result<SSL_CTX*> new_context(TlsProfile profile, const std::string& ca_file) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return fail("cannot create a TLS context (OpenSSL)");
    g_contexts_built.fetch_add(1, std::memory_order_relaxed);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_alpn_protos(ctx, k_alpn, sizeof k_alpn);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (profile == TlsProfile::handshake)
        SSL_CTX_set_cert_verify_callback(ctx, &accept_chain_unchecked, nullptr);
    if (profile == TlsProfile::verify) {
        int ok = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                 : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
        if (ok != 1) {
            SSL_CTX_free(ctx);
            ERR_clear_error();
            return fail(ca_file.empty() ? "cannot load the system trust store"
                                        : "cannot load CA file '" + ca_file +
                                              "': it must hold PEM certificates");
        }
    }
    return ctx;
}

}  // namespace

void TlsContexts::Deleter::operator()(ssl_ctx_st* ctx) const {
    OpensslFree{}(ctx);
}
TlsContexts::TlsContexts(TlsContexts&&) noexcept = default;
TlsContexts& TlsContexts::operator=(TlsContexts&&) noexcept = default;
TlsContexts::~TlsContexts() = default;

Result<TlsContexts> TlsContexts::create(const std::string& ca_file, TrustStore trust) {
    TlsContexts contexts;
    contexts.m_ca_file = ca_file;
    if (trust == TrustStore::load) {
        auto ctx = new_context(TlsProfile::verify, ca_file);
        if (!ctx) return tl::unexpected(ctx.error());
        contexts.m_verify.reset(*ctx);
    }
    return contexts;
}

ssl_ctx_st* TlsContexts::get(TlsProfile profile) const {
    auto& slot = profile == TlsProfile::verify ? m_verify : m_handshake;
    if (!slot) {
        auto ctx = new_context(profile, m_ca_file);
        if (!ctx) throw usage_error(ctx.error().message);
        slot.reset(*ctx);
    }
    return slot.get();
}

bool TlsContexts::built(TlsProfile profile) const {
    return (profile == TlsProfile::verify ? m_verify : m_handshake) != nullptr;
}

long TlsContexts::contexts_built() {
    return g_contexts_built.load(std::memory_order_relaxed);
}

std::string alert_name(int description) {
    std::string name = SSL_alert_desc_string_long(description & 0xff);
    for (auto& c : name)
        c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

TlsSession::TlsSession(const TlsContexts& contexts, TlsProfile profile,
                       const std::string& server_name, const std::string& verify_address) {
    m_ssl = SSL_new(contexts.get(profile));
    BIO* rbio = BIO_new(BIO_s_mem());
    BIO* wbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(rbio, -1);  // empty input = "want read", not EOF
    SSL_set_bio(m_ssl, rbio, wbio);
    SSL_set_connect_state(m_ssl);
    if (!server_name.empty()) SSL_set_tlsext_host_name(m_ssl, server_name.c_str());
    if (profile == TlsProfile::verify) {
        if (!server_name.empty())
            SSL_set1_host(m_ssl, server_name.c_str());
        else
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(m_ssl), verify_address.c_str());
    }
    SSL_set_msg_callback(m_ssl, &TlsSession::on_message);
    SSL_set_msg_callback_arg(m_ssl, this);
}

TlsSession::~TlsSession() {
    SSL_free(m_ssl);
}

void TlsSession::on_message(int write_p, int, int content_type, const void* buf, size_t len, SSL*,
                            void* arg) {
    auto* self = static_cast<TlsSession*>(arg);
    const auto* bytes = static_cast<const unsigned char*>(buf);
    if (write_p || len < 1) return;
    if (content_type == SSL3_RT_HANDSHAKE && bytes[0] == SSL3_MT_SERVER_HELLO)
        self->m_server_hello_seen = true;
    if (content_type == SSL3_RT_ALERT && len >= 2 && self->m_alert_received.empty())
        self->m_alert_received = alert_name(bytes[1]);
}

HandshakeStatus TlsSession::advance() {
    ERR_clear_error();
    int rc = SSL_do_handshake(m_ssl);
    if (rc == 1) return HandshakeStatus::done;
    int err = SSL_get_error(m_ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
        return HandshakeStatus::in_progress;
    unsigned long code = ERR_peek_error();
    if (code != 0) {
        const char* reason = ERR_reason_error_string(code);
        m_error_reason = reason ? reason : "unknown error";
    }
    ERR_clear_error();
    return HandshakeStatus::failed;
}

void TlsSession::feed(std::span<const uint8_t> bytes) {
    if (!bytes.empty())
        BIO_write(SSL_get_rbio(m_ssl), bytes.data(), static_cast<int>(bytes.size()));
}

std::vector<uint8_t> TlsSession::take_output() {
    BIO* wbio = SSL_get_wbio(m_ssl);
    std::vector<uint8_t> out(BIO_ctrl_pending(wbio));
    if (!out.empty()) {
        int n = BIO_read(wbio, out.data(), static_cast<int>(out.size()));
        out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    }
    return out;
}

void TlsSession::shutdown() {
    ERR_clear_error();
    SSL_shutdown(m_ssl);
    ERR_clear_error();
}

void TlsSession::record_negotiated(Trial& trial) const {
    trial.tls_version = SSL_get_version(m_ssl);
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(m_ssl)) {
        const char* standard = SSL_CIPHER_standard_name(cipher);
        trial.cipher_suite = standard ? standard : SSL_CIPHER_get_name(cipher);
    }
    const unsigned char* alpn = nullptr;
    unsigned int alpn_len = 0;
    SSL_get0_alpn_selected(m_ssl, &alpn, &alpn_len);
    if (alpn) trial.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
}

std::string TlsSession::cipher_standard_name(uint16_t code) const {
    const unsigned char bytes[2] = {static_cast<unsigned char>(code >> 8),
                                    static_cast<unsigned char>(code & 0xff)};
    const SSL_CIPHER* cipher = SSL_CIPHER_find(m_ssl, bytes);
    if (!cipher) return "";
    const char* standard = SSL_CIPHER_standard_name(cipher);
    return standard ? standard : SSL_CIPHER_get_name(cipher);
}

}  // namespace sniprobe
