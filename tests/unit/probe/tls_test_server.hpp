// Loopback servers for the probe engine's tests (certificates come from support/certs.hpp):
// a server thread that accepts a fixed number of connections and behaves as told — complete
// the handshake, reset after the ClientHello, send an alert, answer plain HTTP. It keeps the raw
// ClientHello bytes it received so tests can check what really reached the server. Every blocking
// call has a safety bound (poll/SO_RCVTIMEO) so a broken engine fails a test instead of hanging it.
#pragma once

#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/certs.hpp"
#include "util/fd.hpp"
#include "util/openssl_ptr.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe::test {

// What the server does with each connection.
enum class ServerMode {
    complete,           // full TLS handshake
    reset_after_hello,  // read the ClientHello, then close with SO_LINGER 0 (RST)
    alert_on_sni,       // servername callback answers unrecognized_name (fatal)
    http,               // plain HTTP: read the request, send `http_response`, close
};

// What one accepted connection showed the server.
struct ServerSeen {
    std::vector<uint8_t> hello_bytes;  // raw client->server bytes up to a full hello
    int handshake_rc = 0;              // SSL_accept's return (complete mode)
    std::string request;               // http mode
};

// A listening loopback server on an ephemeral port, serving `connections` in a thread.
class TestServer {
  public:
    TestServer(ServerMode mode, int connections, const TestCert* cert = nullptr,
               const TestCert* chain_extra = nullptr, std::string http_response = "",
               bool ipv6 = false)
        : m_mode(mode), m_http_response(std::move(http_response)) {
        // OpenSSL's socket BIO writes without MSG_NOSIGNAL: the server's session tickets
        // may hit the client's RST, which must not kill the test process.
        ::signal(SIGPIPE, SIG_IGN);
        m_listen.reset(::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        int one = 1;
        ::setsockopt(m_listen.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ipv6) {
            sockaddr_in6 a{};
            a.sin6_family = AF_INET6;
            a.sin6_addr = in6addr_loopback;
            ::bind(m_listen.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
        } else {
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            ::bind(m_listen.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
        }
        ::listen(m_listen.get(), 64);
        sockaddr_storage local{};
        socklen_t len = sizeof local;
        ::getsockname(m_listen.get(), reinterpret_cast<sockaddr*>(&local), &len);
        m_port = ntohs(ipv6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                            : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
        if (mode != ServerMode::http) {
            m_ctx = SSL_CTX_new(TLS_server_method());
            SSL_CTX_use_certificate(m_ctx, cert->cert.get());
            SSL_CTX_use_PrivateKey(m_ctx, cert->key.get());
            if (chain_extra) SSL_CTX_add1_chain_cert(m_ctx, chain_extra->cert.get());
            SSL_CTX_set_alpn_select_cb(m_ctx, &TestServer::select_alpn, nullptr);
            if (mode == ServerMode::alert_on_sni)
                SSL_CTX_set_tlsext_servername_callback(m_ctx, &TestServer::reject_name);
        }
        m_thread = std::thread([this, connections] { serve(connections); });
    }
    ~TestServer() {
        if (m_thread.joinable()) m_thread.join();
        if (m_ctx) SSL_CTX_free(m_ctx);
    }

    uint16_t port() const { return m_port; }
    // What each connection showed, in accept order; waits until the server has served
    // all its connections (call after the probes finished).
    std::vector<ServerSeen> seen() {
        if (m_thread.joinable()) m_thread.join();
        std::lock_guard lock(m_mutex);
        return m_seen;
    }

  private:
    static int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen,
                           const unsigned char* in, unsigned int inlen, void*) {
        static const unsigned char k_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        unsigned char* selected = nullptr;
        if (SSL_select_next_proto(&selected, outlen, k_http11, sizeof k_http11, in, inlen) !=
            OPENSSL_NPN_NEGOTIATED)
            return SSL_TLSEXT_ERR_NOACK;
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }
    static int reject_name(SSL*, int* alert, void*) {
        *alert = SSL_AD_UNRECOGNIZED_NAME;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }

    // Reads until a whole ClientHello (or anything unparseable) is in.
    static std::vector<uint8_t> read_hello(int fd) {
        std::vector<uint8_t> bytes;
        uint8_t buf[4096];
        for (int i = 0; i < 64; ++i) {
            auto parse = wire::parse_client_hello(bytes);
            if (!bytes.empty() && parse.anomaly != wire::HelloAnomaly::incomplete) break;
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            bytes.insert(bytes.end(), buf, buf + n);
        }
        return bytes;
    }

    void serve(int connections) {
        for (int i = 0; i < connections; ++i) {
            pollfd p{m_listen.get(), POLLIN, 0};
            if (::poll(&p, 1, 10000) <= 0) return;  // safety bound: the client never came
            Fd conn(::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (!conn) return;
            timeval tv{10, 0};
            ::setsockopt(conn.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            ServerSeen seen;
            if (m_mode == ServerMode::http) {
                char buf[4096];
                ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
                if (n > 0) seen.request.assign(buf, static_cast<size_t>(n));
                [[maybe_unused]] auto w = ::send(conn.get(), m_http_response.data(),
                                                 m_http_response.size(), MSG_NOSIGNAL);
            } else {
                seen.hello_bytes = read_hello(conn.get());
                if (m_mode == ServerMode::reset_after_hello) {
                    linger lg{1, 0};
                    ::setsockopt(conn.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
                } else {
                    seen.handshake_rc = handshake(conn.get(), seen.hello_bytes);
                }
            }
            std::lock_guard lock(m_mutex);
            m_seen.push_back(std::move(seen));
        }
    }

    // Handshake whose first input is the hello already read, the rest from the socket.
    int handshake(int fd, const std::vector<uint8_t>& hello) {
        SSL* ssl = SSL_new(m_ctx);
        BIO* mem = BIO_new_mem_buf(hello.data(), static_cast<int>(hello.size()));
        BIO_set_mem_eof_return(mem, -1);  // empty = want more, not EOF
        BIO* sock = BIO_new_socket(fd, BIO_NOCLOSE);
        SSL_set_bio(ssl, mem, sock);
        SSL_set_accept_state(ssl);
        int rc = SSL_do_handshake(ssl);
        if (rc != 1 && SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ) {
            BIO* sock_in = BIO_new_socket(fd, BIO_NOCLOSE);
            SSL_set0_rbio(ssl, sock_in);
            rc = SSL_do_handshake(ssl);
        }
        SSL_free(ssl);
        return rc;
    }

    ServerMode m_mode;
    std::string m_http_response;
    Fd m_listen;
    uint16_t m_port = 0;
    SSL_CTX* m_ctx = nullptr;
    std::mutex m_mutex;
    std::vector<ServerSeen> m_seen;
    std::thread m_thread;
};

}  // namespace sniprobe::test
