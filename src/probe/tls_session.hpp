// OpenSSL driven through two memory BIOs: OpenSSL never touches the socket, so the engine
// decides how the ClientHello bytes hit the wire (split, re-framed) and sees every byte
// the server sends. A message callback records what the handshake saw — ServerHello
// arrived, which alert came back — because after a failure OpenSSL's error queue tells
// only that the handshake failed, not what the server said.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/trial.hpp"
#include "probe/forged_hellos.hpp"
#include "util/result.hpp"

struct ssl_st;
struct ssl_ctx_st;

namespace sniprobe {

// Which client configuration a session uses.
enum class TlsProfile {
    handshake,  // the plain probe: no verification
    verify,     // certificate and host name verified (full_verify)
};

// The SSL_CTXs of a run, one per profile; built once, on first use, shared by every trial.
// A run whose probes all send forged hellos (a scan's default) makes no SSL object and
// builds no context: SSL_CTX_new alone costs as much as two hundred probes.
class TlsContexts {
  public:
    // Builds the verify context and loads its trust store (ca_file, or the system store
    // when empty) now, so a bad CA file is reported before any probe, or with
    // TrustStore::on_first_use when the first verify session asks for it: a scan never
    // verifies, and loading the system store costs as much as a thousand probes.
    enum class TrustStore { load, on_first_use };
    static Result<TlsContexts> create(const std::string& ca_file,
                                      TrustStore trust = TrustStore::load);
    TlsContexts(TlsContexts&&) noexcept;
    TlsContexts& operator=(TlsContexts&&) noexcept;
    ~TlsContexts();

    // The context for a profile (owned here), built on first use. Throws a Fatal (usage)
    // when it cannot be built or a trust store left for first use cannot be loaded.
    ssl_ctx_st* get(TlsProfile profile) const;
    // Whether the context for a profile has been built yet.
    bool built(TlsProfile profile) const;
    // SSL_CTXs this process has built so far, in any TlsContexts (tests and figures).
    static long contexts_built();
    // The run's forged-hello templates (variants whose hello sniprobe writes itself).
    ForgedHellos& forged() const { return *m_forged; }

  private:
    TlsContexts() = default;
    struct Deleter {
        void operator()(ssl_ctx_st* ctx) const;
    };
    mutable std::unique_ptr<ssl_ctx_st, Deleter> m_handshake;  // made on first use
    mutable std::unique_ptr<ssl_ctx_st, Deleter> m_verify;     // made on first use, maybe
    std::string m_ca_file;
    std::unique_ptr<ForgedHellos> m_forged = std::make_unique<ForgedHellos>();
};

// Where a handshake stands after feeding it.
enum class HandshakeStatus { in_progress, done, failed };

// One client TLS session over memory BIOs.
class TlsSession {
  public:
    // server_name "" = no SNI. For TlsProfile::verify, the name (or, when empty,
    // verify_address) is checked against the certificate.
    TlsSession(const TlsContexts& contexts, TlsProfile profile, const std::string& server_name,
               const std::string& verify_address);
    TlsSession(const TlsSession&) = delete;
    TlsSession& operator=(const TlsSession&) = delete;
    ~TlsSession();

    // Runs the handshake as far as the input allows.
    HandshakeStatus advance();
    // Hands bytes received from the server to OpenSSL.
    void feed(std::span<const uint8_t> bytes);
    // Takes the bytes OpenSSL wants sent (the ClientHello first, later flights/alerts).
    std::vector<uint8_t> take_output();
    // Queues a close_notify (best effort, after a completed handshake).
    void shutdown();

    bool server_hello_seen() const { return m_server_hello_seen; }
    // Name of the alert received ("unrecognized_name"), "" when none.
    const std::string& alert_received() const { return m_alert_received; }
    // OpenSSL's reason for a failure ("wrong version number"), "" when none.
    const std::string& error_reason() const { return m_error_reason; }
    // Fills version, cipher and ALPN into `trial` (after the handshake completed).
    void record_negotiated(Trial& trial) const;
    // Verifies and classifies the server's chain (TlsProfile::verify, after completion).
    CertificateCheck check_certificate() const;
    // "TLS_AES_128_GCM_SHA256" for an IANA cipher suite code; "" when OpenSSL does not know it.
    std::string cipher_standard_name(uint16_t code) const;

  private:
    static void on_message(int write_p, int version, int content_type, const void* buf, size_t len,
                           ssl_st* ssl, void* arg);
    ssl_st* m_ssl = nullptr;
    bool m_server_hello_seen = false;
    std::string m_alert_received;
    std::string m_error_reason;
};

// "unrecognized name" -> "unrecognized_name" for an alert description code.
std::string alert_name(int description);

// Checks a chain recorded from the wire (DER certificates, leaf first) the way a completed
// handshake's chain is checked: against the system trust store, with the host name when
// one is given, at time `at_unix` (a capture's own time, not now: an old capture's
// certificate must be judged as it was then). An empty chain is `untrusted`.
CertificateCheck check_certificate_chain(const std::vector<std::vector<uint8_t>>& der_chain,
                                         const std::string& host, double at_unix);

// The times around `at_unix` between which no certificate of the chain starts or stops
// being valid: the same chain and host checked at any time strictly between gives the same
// result (a capture's thousands of handshakes with one chain need one check).
struct ValidityWindow {
    double from = 0, until = 0;
};
CertificateCheck check_certificate_chain(const std::vector<std::vector<uint8_t>>& der_chain,
                                         const std::string& host, double at_unix,
                                         ValidityWindow& window);

// The OONI failure string for a failed verification ("ssl_invalid_hostname", ...).
std::string failure_for_certificate(const CertificateCheck& check);

}  // namespace sniprobe
