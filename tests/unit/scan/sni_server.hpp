// A loopback TLS server for the scan tests that behaves like a path with a name filter:
// it reads each ClientHello, resets (SO_LINGER 0) when the SNI ends with a blocked
// suffix, and completes the handshake otherwise. It serves connections one at a time
// until stopped; every blocking call has a bound (poll, SO_RCVTIMEO) so a broken
// scanner fails a test instead of hanging it. Certificates come from the probe tests'
// helpers (tls_test_server.hpp).
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "../probe/tls_test_server.hpp"

namespace sniprobe::test {

class SniFilterServer {
  public:
    SniFilterServer(const TestCert& cert, std::string blocked_suffix)
        : m_blocked_suffix(std::move(blocked_suffix)) {
        ::signal(SIGPIPE, SIG_IGN);
        m_listen.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        int one = 1;
        ::setsockopt(m_listen.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(m_listen.get(), 1024);
        socklen_t len = sizeof a;
        ::getsockname(m_listen.get(), reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_ctx = SSL_CTX_new(TLS_server_method());
        SSL_CTX_use_certificate(m_ctx, cert.cert.get());
        SSL_CTX_use_PrivateKey(m_ctx, cert.key.get());
        m_thread = std::thread([this] { serve(); });
    }
    ~SniFilterServer() {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
        SSL_CTX_free(m_ctx);
    }
    uint16_t port() const { return m_port; }
    int resets() const { return m_resets; }
    int handshakes() const { return m_handshakes; }

  private:
    void serve() {
        while (!m_stop) {
            pollfd p{m_listen.get(), POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            Fd conn(::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (!conn) continue;
            timeval tv{5, 0};
            ::setsockopt(conn.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            std::vector<uint8_t> hello;
            uint8_t buf[4096];
            std::optional<wire::ClientHello> parsed;
            for (int i = 0; i < 64 && !parsed; ++i) {
                ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
                if (n <= 0) break;
                hello.insert(hello.end(), buf, buf + n);
                auto parse = wire::parse_client_hello(hello);
                if (parse.anomaly == wire::HelloAnomaly::incomplete) continue;
                parsed = parse.hello;
                break;
            }
            if (!parsed) continue;
            std::string sni(parsed->sni());
            if (sni.size() >= m_blocked_suffix.size() && sni.ends_with(m_blocked_suffix)) {
                linger lg{1, 0};
                ::setsockopt(conn.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
                ++m_resets;
                continue;
            }
            SSL* ssl = SSL_new(m_ctx);
            BIO* mem = BIO_new_mem_buf(hello.data(), static_cast<int>(hello.size()));
            BIO_set_mem_eof_return(mem, -1);
            SSL_set_bio(ssl, mem, BIO_new_socket(conn.get(), BIO_NOCLOSE));
            SSL_set_accept_state(ssl);
            int rc = SSL_do_handshake(ssl);
            if (rc != 1 && SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ) {
                SSL_set0_rbio(ssl, BIO_new_socket(conn.get(), BIO_NOCLOSE));
                SSL_do_handshake(ssl);
            }
            ++m_handshakes;
            SSL_free(ssl);
        }
    }

    std::string m_blocked_suffix;
    Fd m_listen;
    uint16_t m_port = 0;
    SSL_CTX* m_ctx = nullptr;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_resets{0}, m_handshakes{0};
    std::thread m_thread;
};

}  // namespace sniprobe::test
