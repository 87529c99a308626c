// One bounded HTTP GET to the sink (see client.hpp). A non-blocking connect and poll()
// enforce a single deadline over connect, send and the whole answer; the answer is
// read until the peer closes (the sink always sends Connection: close), capped at
// 64 MiB, then its status line is read and the body must be exactly Content-Length bytes:
// a connection cut mid-body or an answer with trailing bytes is an error, not a document.
#include "sink/client.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "util/clock.hpp"
#include "util/fd.hpp"
#include "util/sockaddr.hpp"

namespace sniprobe::sink {

namespace {

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

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

Result<HttpAnswer> parse_http_answer(std::string_view answer) {
    const size_t head_end = answer.find("\r\n\r\n");
    // "HTTP/1.x SSS": the status line's fixed part.
    if (answer.substr(0, 7) != "HTTP/1." || head_end == std::string_view::npos || head_end < 12 ||
        answer[8] != ' ')
        return fail("the sink's answer is not HTTP");
    HttpAnswer out;
    auto code = std::from_chars(answer.data() + 9, answer.data() + 12, out.status);
    if (code.ec != std::errc{} || code.ptr != answer.data() + 12 || out.status < 100)
        return fail("the sink's answer has no valid status code");

    std::optional<uint64_t> length;
    std::string_view head = answer.substr(0, head_end);
    size_t line_start = head.find("\r\n");
    while (line_start != std::string_view::npos) {
        line_start += 2;
        size_t line_end = head.find("\r\n", line_start);
        std::string_view line =
            head.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                       : line_end - line_start);
        line_start = line_end;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            return fail("the sink's answer has a malformed header");
        std::string_view name = line.substr(0, colon);
        std::string_view value = trim_ows(line.substr(colon + 1));
        if (iequals(name, "Transfer-Encoding"))
            return fail(
                "the sink's answer uses Transfer-Encoding, which this client does not read");
        if (!iequals(name, "Content-Length")) continue;
        uint64_t n = 0;
        auto r = std::from_chars(value.data(), value.data() + value.size(), n);
        if (value.empty() || r.ec != std::errc{} || r.ptr != value.data() + value.size())
            return fail(fmt::format("the sink's answer has an invalid Content-Length '{}'", value));
        if (length && *length != n)
            return fail("the sink's answer has two different Content-Lengths");
        length = n;
    }
    if (!length) return fail("the sink's answer has no Content-Length");
    if (*length > k_max_answer_bytes)
        return fail(
            fmt::format("the sink announced {} bytes, more than the 64 MiB accepted", *length));
    std::string_view body = answer.substr(head_end + 4);
    if (body.size() < *length)
        return fail(fmt::format("the sink's answer was cut short: {} of {} body bytes", body.size(),
                                *length));
    if (body.size() > *length)
        return fail(fmt::format("the sink sent {} bytes after its {}-byte body",
                                body.size() - *length, *length));
    out.body = body;
    return out;
}

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
    auto parsed = parse_http_answer(answer);
    if (!parsed) return tl::unexpected(parsed.error());
    if (parsed->status == 401) return fail("the sink refused the token (401): check --token-file");
    if (parsed->status == 429)
        return fail("the sink is rate-limiting this address (429): try again in a few seconds");
    if (parsed->status != 200)
        return fail(fmt::format("the sink answered HTTP {}", parsed->status));
    return decode_records(parsed->body);
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
