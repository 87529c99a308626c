// One bounded HTTP GET to the sink (see client.hpp). A non-blocking connect and poll()
// enforce a single deadline over connect, send and the whole answer; the answer is
// read until the peer closes (the sink always sends Connection: close), capped at
// 64 MiB, then its status line and Content-Length are checked.
#include "sink/client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "util/clock.hpp"
#include "util/fd.hpp"
#include "util/sockaddr.hpp"

namespace sniprobe::sink {

namespace {

constexpr size_t k_max_answer_bytes = 64u << 20;

// Waits for `events` on fd until the deadline; false on timeout.
bool wait_for(int fd, short events, double deadline_ms) {
    for (;;) {
        int left = static_cast<int>(deadline_ms - (monotonic_seconds() * 1e3));
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, left);
        if (n > 0) return true;
        if (n < 0 && errno != EINTR) return false;
    }
}

Result<Fd> connect_to(const SinkUrl& url, double deadline_ms) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    std::string port = std::to_string(url.port);
    int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) return fail(fmt::format("cannot resolve {}: {}", url.host, ::gai_strerror(rc)));
    std::string last_error = "no address";
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                       ai->ai_protocol));
        if (!fd) continue;
        if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
            last_error = std::strerror(errno);
            continue;
        }
        if (!wait_for(fd.get(), POLLOUT, deadline_ms)) {
            last_error = "connect timed out";
            continue;
        }
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            last_error = std::strerror(err);
            continue;
        }
        ::freeaddrinfo(list);
        return fd;
    }
    ::freeaddrinfo(list);
    return fail(
        fmt::format("cannot connect to the sink at {}:{}: {}", url.host, url.port, last_error));
}

}  // namespace

Result<SinkUrl> parse_sink_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) return fail("--sink: '" + url + "' must start with http://");
    std::string rest = url.substr(scheme.size());
    size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    SinkUrl out;
    if (slash != std::string::npos) out.prefix = rest.substr(slash);
    while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
    std::string port_text;
    if (!authority.empty() && authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string::npos) return fail("--sink: unbalanced '[' in '" + url + "'");
        out.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port_text = authority.substr(close + 2);
    } else {
        size_t colon = authority.rfind(':');
        out.host = authority.substr(0, colon);
        if (colon != std::string::npos) port_text = authority.substr(colon + 1);
    }
    if (out.host.empty()) return fail("--sink: no host in '" + url + "'");
    if (port_text.empty())
        return fail("--sink: no port in '" + url + "' (e.g. http://192.0.2.10:9443)");
    unsigned value = 0;
    auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (r.ec != std::errc{} || r.ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
        return fail("--sink: bad port '" + port_text + "'");
    out.port = static_cast<uint16_t>(value);
    return out;
}

Result<RecordsDocument> fetch_records(const SinkUrl& url, const std::string& token,
                                      const SinkQuery& query, int timeout_ms) {
    const double deadline = (monotonic_seconds() * 1e3) + timeout_ms;
    auto fd = connect_to(url, deadline);
    if (!fd) return tl::unexpected(fd.error());
    std::string target = fmt::format("{}/v1/connections?since={:.6f}&until={:.6f}", url.prefix,
                                     query.since_unix, query.until_unix);
    if (!query.client.empty())
        target += "&client=" + query.client;  // an IP literal: nothing to escape
    std::string request = fmt::format(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n"
        "Connection: close\r\nUser-Agent: sniprobe\r\n\r\n",
        target, url.host, token);
    size_t sent = 0;
    while (sent < request.size()) {
        if (!wait_for(fd->get(), POLLOUT, deadline))
            return fail("the sink did not take the request in time");
        ssize_t n = ::send(fd->get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return fail(std::string("sending to the sink: ") + std::strerror(errno));
        if (n > 0) sent += static_cast<size_t>(n);
    }
    std::string answer;
    char buf[16384];
    for (;;) {
        if (!wait_for(fd->get(), POLLIN, deadline)) return fail("the sink did not answer in time");
        ssize_t n = ::recv(fd->get(), buf, sizeof buf, 0);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return fail(std::string("reading the sink's answer: ") + std::strerror(errno));
        }
        answer.append(buf, static_cast<size_t>(n));
        if (answer.size() > k_max_answer_bytes)
            return fail("the sink's answer is larger than 64 MiB");
    }
    size_t head_end = answer.find("\r\n\r\n");
    if (answer.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos || answer.size() < 12)
        return fail("the sink's answer is not HTTP");
    int status = 0;
    std::from_chars(answer.data() + 9, answer.data() + 12, status);
    if (status == 401) return fail("the sink refused the token (401): check --token-file");
    if (status == 429)
        return fail("the sink is rate-limiting this address (429): try again in a few seconds");
    if (status != 200) return fail(fmt::format("the sink answered HTTP {}", status));
    return decode_records(std::string_view(answer).substr(head_end + 4));
}

std::string local_address_towards(const std::string& address, uint16_t port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST;
    addrinfo* list = nullptr;
    if (::getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &list) != 0) return {};
    std::string out;
    Fd fd(::socket(list->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    // A UDP connect only picks a route and a source address; nothing is sent.
    if (fd && ::connect(fd.get(), list->ai_addr, list->ai_addrlen) == 0) {
        if (const auto local = socket_address_of(fd.get(), SocketEnd::local))
            out = address_text(local->storage);
    }
    ::freeaddrinfo(list);
    return out;
}

}  // namespace sniprobe::sink
