// c-ares driven to completion on a small poll loop with one overall deadline (per-try
// timeouts alone would let retries across several servers exceed what the user asked
// for). c-ares answers from the hosts file synchronously inside ares_getaddrinfo; a
// custom hosts path goes through CARES_HOSTS + ARES_AI_ENVHOSTS, the only way c-ares 1.18
// offers to point the file lookup elsewhere.
#include "resolve/resolver.hpp"

#include <ares.h>
#include <netinet/in.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "resolve/https_record.hpp"
#include "resolve/target.hpp"
#include "util/sockaddr.hpp"

namespace sniprobe {
namespace {

using Clock = std::chrono::steady_clock;

struct LookupState {
    bool done = false;
    int status = ARES_SUCCESS;
    std::vector<AddressInfo> addresses;
};

std::string failure_from_status(int status) {
    switch (status) {
        case ARES_SUCCESS:
            return "";
        case ARES_ENOTFOUND:
            return "dns_nxdomain_error";
        case ARES_ENODATA:
            return "dns_no_answer";
        case ARES_ESERVFAIL:
            return "dns_server_failure";
        case ARES_EREFUSED:
            return "dns_refused_error";
        case ARES_ETIMEOUT:
        case ARES_ECANCELLED:
            return "generic_timeout_error";
        case ARES_ECONNREFUSED:
            return "connection_refused";
        default:
            return "dns_lookup_error";
    }
}

void on_addrinfo(void* arg, int status, int /*timeouts*/, struct ares_addrinfo* result) {
    auto* state = static_cast<LookupState*>(arg);
    state->done = true;
    state->status = status;
    if (status != ARES_SUCCESS || result == nullptr) {
        if (result) ares_freeaddrinfo(result);
        return;
    }
    for (auto* node = result->nodes; node != nullptr; node = node->ai_next) {
        if (node->ai_family != AF_INET && node->ai_family != AF_INET6) continue;
        sockaddr_storage storage{};
        std::memcpy(&storage, node->ai_addr, std::min<size_t>(node->ai_addrlen, sizeof storage));
        AddressInfo info;
        info.source = "dns";
        info.family = node->ai_family == AF_INET ? "ipv4" : "ipv6";
        info.address = address_text(storage);
        bool seen = std::any_of(state->addresses.begin(), state->addresses.end(),
                                [&](const AddressInfo& a) { return a.address == info.address; });
        if (!seen) state->addresses.push_back(std::move(info));
    }
    if (state->addresses.empty()) state->status = ARES_ENODATA;
    ares_freeaddrinfo(result);
}

// Drives a channel's queries until `done` or the deadline (then cancels them, which calls
// their callbacks with ARES_ECANCELLED).
void drive(ares_channel channel, Clock::time_point deadline, const bool& done) {
    while (!done) {
        auto now = Clock::now();
        if (now >= deadline) {
            ares_cancel(channel);
            break;
        }
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        int bits = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
        std::vector<pollfd> fds;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
            short events = 0;
            if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
            if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
            if (events) fds.push_back(pollfd{socks[i], events, 0});
        }
        auto left_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
        timeval max_tv{static_cast<time_t>(left_ms / 1000),
                       static_cast<suseconds_t>((left_ms % 1000) * 1000)};
        timeval tv{};
        timeval* next = ares_timeout(channel, &max_tv, &tv);
        int wait_ms = static_cast<int>(next->tv_sec * 1000 + next->tv_usec / 1000) + 1;
        int n = ::poll(fds.data(), fds.size(), wait_ms);
        if (n <= 0) {
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
            continue;
        }
        for (const auto& p : fds) {
            ares_socket_t r = (p.revents & (POLLIN | POLLERR | POLLHUP)) ? p.fd : ARES_SOCKET_BAD;
            ares_socket_t w = (p.revents & POLLOUT) ? p.fd : ARES_SOCKET_BAD;
            if (r != ARES_SOCKET_BAD || w != ARES_SOCKET_BAD) ares_process_fd(channel, r, w);
        }
    }
}

// Runs one ares_getaddrinfo to completion or to the deadline.
LookupState lookup(const std::string& host, const ResolveOptions& options) {
    static std::once_flag init_once;
    std::call_once(init_once, [] { ares_library_init(ARES_LIB_INIT_ALL); });

    LookupState state;
    ares_options opts{};
    int optmask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    opts.timeout = std::max(200, options.timeout_ms / 4);
    opts.tries = 2;
    std::string lookups = options.hosts_only ? "f" : "fb";
    opts.lookups = lookups.data();
    optmask |= ARES_OPT_LOOKUPS;
    ares_channel channel = nullptr;
    if (ares_init_options(&channel, &opts, optmask) != ARES_SUCCESS) {
        state.done = true;
        state.status = ARES_ENOMEM;
        return state;
    }

    ares_addrinfo_hints hints{};
    hints.ai_family = options.family == AddressFamily::ipv4   ? AF_INET
                      : options.family == AddressFamily::ipv6 ? AF_INET6
                                                              : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (!options.hosts_file.empty()) {
        // c-ares 1.18 reads the hosts path only from the environment.
        ::setenv("CARES_HOSTS", options.hosts_file.c_str(), 1);
        hints.ai_flags |= ARES_AI_ENVHOSTS;
    }
    ares_getaddrinfo(channel, host.c_str(), nullptr, &hints, on_addrinfo, &state);

    drive(channel, Clock::now() + std::chrono::milliseconds(options.timeout_ms), state.done);
    ares_destroy(channel);
    if (!state.done) state.status = ARES_ETIMEOUT;
    // With the file as the only source, c-ares 1.18 ends a miss with ARES_ECONNREFUSED
    // (no server left to ask); for the user that is simply "no such name".
    if (options.hosts_only && state.status != ARES_SUCCESS) state.status = ARES_ENOTFOUND;
    return state;
}

AddressInfo literal_address(const std::string& ip) {
    return AddressInfo{ip, ip.find(':') == std::string::npos ? "ipv4" : "ipv6", "cli"};
}

}  // namespace

Resolution resolve(const Target& target, const ResolveOptions& options) {
    Resolution resolution;
    if (is_ip_literal(target.host)) {
        resolution.addresses.push_back(literal_address(target.host));
        if (target.forced_ip && *target.forced_ip != target.host)
            resolution.addresses = {literal_address(*target.forced_ip)};
        return resolution;
    }
    LookupState state = lookup(target.host, options);
    resolution.failure = failure_from_status(state.status);
    for (const auto& a : state.addresses) resolution.dns_addresses.push_back(a.address);
    if (target.forced_ip) {
        resolution.addresses.push_back(literal_address(*target.forced_ip));
        return resolution;
    }
    if (options.max_addresses > 0 &&
        state.addresses.size() > static_cast<size_t>(options.max_addresses))
        state.addresses.resize(static_cast<size_t>(options.max_addresses));
    resolution.addresses = std::move(state.addresses);
    return resolution;
}

namespace {

struct HttpsState {
    bool done = false;
    int status = ARES_SUCCESS;
    std::vector<uint8_t> answer;
};

void on_https(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    auto* state = static_cast<HttpsState*>(arg);
    state->done = true;
    state->status = status;
    if (status == ARES_SUCCESS && abuf != nullptr && alen > 0)
        state->answer.assign(abuf, abuf + alen);
}

}  // namespace

Result<std::vector<HttpsRecord>> lookup_https(const std::string& host,
                                              const ResolveOptions& options) {
    static std::once_flag init_once;
    std::call_once(init_once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
    ares_options opts{};
    opts.timeout = std::max(200, options.timeout_ms / 2);
    opts.tries = 1;
    ares_channel channel = nullptr;
    if (ares_init_options(&channel, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) != ARES_SUCCESS)
        return fail("HTTPS record lookup: cannot start c-ares");
    if (!options.dns_server.empty() &&
        ares_set_servers_ports_csv(channel, options.dns_server.c_str()) != ARES_SUCCESS) {
        ares_destroy(channel);
        return fail("HTTPS record lookup: bad DNS server " + options.dns_server);
    }
    HttpsState state;
    ares_query(channel, host.c_str(), 1 /* IN */, 65 /* HTTPS */, on_https, &state);
    drive(channel, Clock::now() + std::chrono::milliseconds(options.timeout_ms), state.done);
    ares_destroy(channel);
    if (!state.done) state.status = ARES_ETIMEOUT;
    if (state.status == ARES_ENODATA || state.status == ARES_ENOTFOUND)
        return std::vector<HttpsRecord>{};
    if (state.status != ARES_SUCCESS)
        return fail("HTTPS record lookup: " + failure_from_status(state.status));
    return https_records_from_response(state.answer);
}

}  // namespace sniprobe
