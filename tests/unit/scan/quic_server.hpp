// A loopback QUIC responder for the scan tests that behaves like a path with a name
// filter on UDP: the first datagram of each client DCID decides. A version-1 Initial
// naming a blocked suffix is dropped (and the rest of that flow with it); any other
// Initial gets a server Initial carrying a ServerHello (RFC 9001 A.3's, sealed with the
// server keys of the client's DCID); an unknown version gets a Version Negotiation
// offering version 1. No TLS is run: a probe stops at the ServerHello. The receive loop
// polls with a bound and checks its stop flag, so a broken scanner fails a test instead
// of hanging it.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../quic/quic_test_util.hpp"
#include "quic/client_initial_reader.hpp"
#include "util/fd.hpp"

namespace sniprobe::test {

class QuicFilterServer {
  public:
    // Binds 127.0.0.1:`port` over UDP (the TCP test server's port number); bound() says
    // whether that worked.
    QuicFilterServer(uint16_t port, std::string blocked_suffix)
        : m_blocked_suffix(std::move(blocked_suffix)) {
        m_fd.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        m_bound = ::bind(m_fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        if (m_bound) m_thread = std::thread([this] { serve(); });
    }
    ~QuicFilterServer() {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
    }
    bool bound() const { return m_bound; }
    int dropped() const { return m_dropped; }    // flows whose first Initial was dropped
    int answered() const { return m_answered; }  // ServerHellos sent
    int pings() const { return m_pings; }        // Version Negotiations sent

  private:
    void serve() {
        std::set<std::vector<uint8_t>> seen;  // client DCIDs already decided
        std::vector<uint8_t> buf(65536);
        while (!m_stop) {
            pollfd p{m_fd.get(), POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            sockaddr_in from{};
            socklen_t from_len = sizeof from;
            const ssize_t n = ::recvfrom(m_fd.get(), buf.data(), buf.size(), 0,
                                         reinterpret_cast<sockaddr*>(&from), &from_len);
            if (n < 7 || (buf[0] & 0x80) == 0) continue;
            const std::vector<uint8_t> d(buf.begin(), buf.begin() + n);
            const uint32_t version = (uint32_t{d[1]} << 24) | (uint32_t{d[2]} << 16) |
                                     (uint32_t{d[3]} << 8) | uint32_t{d[4]};
            const size_t dcid_len = d[5];
            if (d.size() < 7 + dcid_len) continue;
            const std::vector<uint8_t> dcid(d.begin() + 6, d.begin() + 6 + dcid_len);
            const size_t scid_len = d[6 + dcid_len];
            if (d.size() < 7 + dcid_len + scid_len) continue;
            const std::vector<uint8_t> scid(d.begin() + 7 + dcid_len,
                                            d.begin() + 7 + dcid_len + scid_len);
            if (!seen.insert(dcid).second) continue;
            std::vector<uint8_t> reply;
            if (version != 1) {
                reply = {0xc0, 0, 0, 0, 0, static_cast<uint8_t>(scid.size())};
                reply.insert(reply.end(), scid.begin(), scid.end());
                reply.push_back(static_cast<uint8_t>(dcid.size()));
                reply.insert(reply.end(), dcid.begin(), dcid.end());
                reply.insert(reply.end(), {0, 0, 0, 1});
                ++m_pings;
            } else {
                const auto view = quic::read_client_initial(d);
                if (!view.initial) continue;
                if (view.sni && view.sni->ends_with(m_blocked_suffix)) {
                    ++m_dropped;
                    continue;
                }
                reply = quic::test::server_initial(dcid, quic::test::k_rfc_server_payload);
                ++m_answered;
            }
            ::sendto(m_fd.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from),
                     from_len);
        }
    }

    std::string m_blocked_suffix;
    Fd m_fd;
    bool m_bound = false;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_dropped{0}, m_answered{0}, m_pings{0};
    std::thread m_thread;
};

}  // namespace sniprobe::test
