// NFQUEUE event loop (see nfqueue_runner.hpp). One thread, poll(2) over the netlink
// socket, the interrupt pipe and a SIGUSR1 signalfd; held packets sit in a map ordered
// by release time. Config messages ask for a netlink ACK so a queue that is already
// bound (EBUSY) or missing privileges fail loudly instead of a silent dead box. Packets
// are copied whole (GSO on: the kernel may hand over super-segments; we only read them).
#include "middlebox/nfqueue_runner.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <libnetfilter_queue/libnetfilter_queue.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "util/clock.hpp"
#include "util/fd.hpp"
#include "util/interrupt.hpp"
#include "wire/packet_builder.hpp"

namespace sniprobe::middlebox {
namespace {

struct MnlClose {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
using MnlSocket = std::unique_ptr<mnl_socket, MnlClose>;

std::string errno_text() {
    return std::strerror(errno);
}

// The kernel's own view of the queue: "queue_dropped=.. user_dropped=.. queued=..".
std::string kernel_queue_stats(uint16_t queue_num) {
    std::ifstream in("/proc/net/netfilter/nfnetlink_queue");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        unsigned long q = 0, portid = 0, total = 0, mode = 0, range = 0, qdrop = 0, udrop = 0,
                      seq = 0;
        if (f >> q >> portid >> total >> mode >> range >> qdrop >> udrop >> seq && q == queue_num)
            return fmt::format(
                "middlebox: kernel queue={} queued_total={} queue_dropped={} user_dropped={}", q,
                seq, qdrop, udrop);
    }
    return "middlebox: kernel queue stats unavailable";
}

class Runner {
  public:
    Runner(Rules rules, const RunnerOptions& options)
        : m_options(options), m_engine(std::move(rules), options.engine), m_buf(256 * 1024) {}

    Result<void> open() {
        m_nl.reset(mnl_socket_open(NETLINK_NETFILTER));
        if (!m_nl) return fail("netlink socket: " + errno_text());
        if (mnl_socket_bind(m_nl.get(), 0, MNL_SOCKET_AUTOPID) < 0)
            return fail("netlink bind: " + errno_text());
        m_portid = mnl_socket_get_portid(m_nl.get());
        int one = 1;
        mnl_socket_setsockopt(m_nl.get(), NETLINK_NO_ENOBUFS, &one, sizeof one);
        int rcvbuf = 8 * 1024 * 1024;
        ::setsockopt(mnl_socket_get_fd(m_nl.get()), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
                     sizeof rcvbuf);

        char* buf = m_buf.data();
        nlmsghdr* nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, m_options.queue_num);
        nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
        if (auto r = send_with_ack(nlh); !r)
            return fail(fmt::format(
                "cannot bind NFQUEUE {}: {} (another middlebox on this queue? root needed)",
                m_options.queue_num, r.error().message));
        m_bound = true;
        nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, m_options.queue_num);
        nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
        nfq_nlmsg_cfg_put_qmaxlen(nlh, m_options.queue_maxlen);
        uint32_t flags = NFQA_CFG_F_GSO | (m_options.fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
        mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
        mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN));
        if (auto r = send_with_ack(nlh); !r)
            return fail("cannot configure NFQUEUE: " + r.error().message);

        m_raw.reset(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
        if (!m_raw) return fail("raw socket (needs CAP_NET_RAW): " + errno_text());
        // IPPROTO_RAW on AF_INET6 implies a caller-built IPv6 header, as IP_HDRINCL does.
        m_raw6.reset(::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
        if (!m_raw6) return fail("raw IPv6 socket (needs CAP_NET_RAW): " + errno_text());
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        ::sigprocmask(SIG_BLOCK, &set, nullptr);
        m_usr1.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
        return {};
    }

    void loop() {
        fmt::print(stderr, "{} (queue {}, {} rules from {})\n", k_ready_line, m_options.queue_num,
                   m_engine.rules().rules.size(), m_engine.rules().origin);
        std::fflush(stderr);
        const int nl_fd = mnl_socket_get_fd(m_nl.get());
        while (!interrupted()) {
            pollfd fds[3] = {
                {nl_fd, POLLIN, 0}, {interrupt_fd(), POLLIN, 0}, {m_usr1.get(), POLLIN, 0}};
            int timeout_ms = 1000;
            if (!m_held.empty()) {
                uint64_t now = monotonic_ms(), due = m_held.begin()->first;
                timeout_ms = due <= now ? 0 : static_cast<int>(std::min<uint64_t>(due - now, 1000));
            }
            int n = ::poll(fds, m_usr1 ? 3 : 2, timeout_ms);
            if (n < 0 && errno != EINTR) {
                fmt::print(stderr, "middlebox: poll: {}\n", errno_text());
                break;
            }
            if (n > 0 && (fds[2].revents & POLLIN)) {
                signalfd_siginfo info;
                while (::read(m_usr1.get(), &info, sizeof info) == sizeof info) {
                }
                print_counters();
            }
            if (n > 0 && (fds[0].revents & POLLIN)) drain_queue(nl_fd);
            release_due(monotonic_ms());
        }
        release_due(UINT64_MAX);  // never leave a packet stuck in the kernel's queue
    }

    void close(bool print) {
        if (print) print_counters();  // before unbinding: the kernel's queue stats vanish with it
        if (m_bound) {
            nlmsghdr* nlh = nfq_nlmsg_put(m_buf.data(), NFQNL_MSG_CONFIG, m_options.queue_num);
            nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_UNBIND);
            mnl_socket_sendto(m_nl.get(), nlh, nlh->nlmsg_len);
            m_bound = false;
        }
    }

  private:
    struct Held {
        uint32_t packet_id = 0;
        Decision decision;
    };

    Result<void> send_with_ack(nlmsghdr* nlh) {
        nlh->nlmsg_flags |= NLM_F_ACK;
        nlh->nlmsg_seq = ++m_seq;
        if (mnl_socket_sendto(m_nl.get(), nlh, nlh->nlmsg_len) < 0) return fail(errno_text());
        ssize_t n = mnl_socket_recvfrom(m_nl.get(), m_buf.data(), m_buf.size());
        if (n < 0) return fail(errno_text());
        if (mnl_cb_run(m_buf.data(), static_cast<size_t>(n), m_seq, m_portid, nullptr, nullptr) < 0)
            return fail(errno_text());
        return {};
    }

    static int on_message(const nlmsghdr* nlh, void* self) {
        return static_cast<Runner*>(self)->on_packet(nlh);
    }

    void drain_queue(int fd) {
        // recvmmsg: up to k_batch queued packets per system call; then one batch verdict.
        for (int round = 0; round < 64; ++round) {  // bounded, then poll again for signals/timers
            std::array<mmsghdr, k_batch> msgs{};
            std::array<iovec, k_batch> iov{};
            for (size_t i = 0; i < k_batch; ++i) {
                iov[i] = {m_rx.data() + i * k_rx_slot, k_rx_slot};
                msgs[i].msg_hdr.msg_iov = &iov[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
            }
            int n = ::recvmmsg(fd, msgs.data(), k_batch, MSG_DONTWAIT, nullptr);
            if (n < 0) {
                if (errno == ENOBUFS) {
                    ++m_socket_overruns;
                    continue;
                }
                break;  // EAGAIN / EINTR
            }
            for (int i = 0; i < n; ++i) {
                char* data = m_rx.data() + static_cast<size_t>(i) * k_rx_slot;
                if (mnl_cb_run(data, msgs[static_cast<size_t>(i)].msg_len, 0, m_portid, on_message,
                               this) < 0 &&
                    errno != EINTR)
                    ++m_bad_messages;
            }
            flush_accepts();
            if (static_cast<size_t>(n) < k_batch) break;
        }
        flush_accepts();
    }

    // Accepts every packet the engine simply let through since the last flush: one
    // NFQNL_MSG_VERDICT_BATCH when no packet is held (a batch verdict covers every id up
    // to the given one, held packets included), else one verdict each.
    void flush_accepts() {
        if (m_pending_accepts.empty()) return;
        if (m_held.empty()) {
            char buf[256];
            nlmsghdr* nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT_BATCH, m_options.queue_num);
            nfq_nlmsg_verdict_put(nlh, static_cast<int>(m_pending_accepts.back()), NF_ACCEPT);
            if (mnl_socket_sendto(m_nl.get(), nlh, nlh->nlmsg_len) < 0) ++m_verdict_failures;
        } else {
            for (uint32_t id : m_pending_accepts) verdict(id, NF_ACCEPT);
        }
        m_pending_accepts.clear();
    }

    int on_packet(const nlmsghdr* nlh) {
        nlattr* attr[NFQA_MAX + 1] = {};
        if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) {
            ++m_bad_messages;
            return MNL_CB_OK;
        }
        auto* ph = static_cast<nfqnl_msg_packet_hdr*>(mnl_attr_get_payload(attr[NFQA_PACKET_HDR]));
        uint32_t id = ntohl(ph->packet_id);
        if (!attr[NFQA_PAYLOAD]) {
            verdict(id, NF_ACCEPT);
            ++m_bad_messages;
            return MNL_CB_OK;
        }
        auto* data = static_cast<const uint8_t*>(mnl_attr_get_payload(attr[NFQA_PAYLOAD]));
        size_t len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
        uint64_t now = monotonic_ms();
        Decision d = m_engine.handle(std::span<const uint8_t>(data, len), now);
        if (!d.log.empty()) fmt::print(stderr, "{}\n", d.log);
        if (d.delay_ms == 0 && !d.drop && d.before.empty() && d.after.empty()) {
            m_pending_accepts.push_back(id);  // the common case: batched
            return MNL_CB_OK;
        }
        flush_accepts();  // earlier packets go first
        if (d.delay_ms == 0) {
            execute(id, d);
        } else {
            const uint64_t due = now + d.delay_ms;  // before `d` is moved from
            m_held.emplace(due, Held{id, std::move(d)});
        }
        return MNL_CB_OK;
    }

    void release_due(uint64_t now) {
        while (!m_held.empty() && m_held.begin()->first <= now) {
            Held h = std::move(m_held.begin()->second);
            m_held.erase(m_held.begin());
            execute(h.packet_id, h.decision);
        }
    }

    void execute(uint32_t id, const Decision& d) {
        for (const auto& spec : d.before) inject(spec);
        verdict(id, d.drop ? NF_DROP : NF_ACCEPT);
        for (const auto& spec : d.after) inject(spec);
    }

    void verdict(uint32_t id, int verdict_code) {
        char buf[256];
        nlmsghdr* nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, m_options.queue_num);
        nfq_nlmsg_verdict_put(nlh, static_cast<int>(id), verdict_code);
        if (mnl_socket_sendto(m_nl.get(), nlh, nlh->nlmsg_len) < 0) ++m_verdict_failures;
    }

    void inject(const wire::TcpSpec& spec) {
        const bool v6 = spec.ip_version == 6;
        std::vector<uint8_t> pkt = v6 ? wire::build_tcp_ipv6(spec) : wire::build_tcp_ipv4(spec);
        sockaddr_storage to{};
        socklen_t to_len = 0;
        if (v6) {
            auto* to6 = reinterpret_cast<sockaddr_in6*>(&to);
            to6->sin6_family = AF_INET6;
            std::memcpy(&to6->sin6_addr, spec.dst.data(), 16);
            to_len = sizeof(sockaddr_in6);
        } else {
            auto* to4 = reinterpret_cast<sockaddr_in*>(&to);
            to4->sin_family = AF_INET;
            std::memcpy(&to4->sin_addr, spec.dst.data(), 4);
            to_len = sizeof(sockaddr_in);
        }
        if (::sendto((v6 ? m_raw6 : m_raw).get(), pkt.data(), pkt.size(), 0,
                     reinterpret_cast<sockaddr*>(&to), to_len) < 0) {
            ++m_inject_failures;
            fmt::print(stderr, "middlebox: inject failed: {}\n", errno_text());
        }
    }

    void print_counters() {
        fmt::print(stderr,
                   "{} held_now={} inject_failures={} verdict_failures={} bad_messages={} "
                   "socket_overruns={}\n{}\n",
                   m_engine.counters_line(), m_held.size(), m_inject_failures, m_verdict_failures,
                   m_bad_messages, m_socket_overruns, kernel_queue_stats(m_options.queue_num));
        std::fflush(stderr);
    }

    RunnerOptions m_options;
    Engine m_engine;
    std::vector<char> m_buf;
    MnlSocket m_nl;
    unsigned m_portid = 0;
    unsigned m_seq = 0;
    bool m_bound = false;
    Fd m_raw, m_raw6, m_usr1;
    std::multimap<uint64_t, Held> m_held;
    std::vector<uint32_t> m_pending_accepts;
    static constexpr size_t k_batch = 32;
    static constexpr size_t k_rx_slot = 0xffff + 4096;  // a whole GSO packet plus netlink headers
    std::vector<char> m_rx = std::vector<char>(k_batch * k_rx_slot);
    unsigned long m_inject_failures = 0, m_verdict_failures = 0, m_bad_messages = 0,
                  m_socket_overruns = 0;
};

}  // namespace

Result<void> run_nfqueue(Rules rules, const RunnerOptions& options) {
    install_interrupt_handler();
    Runner runner(std::move(rules), options);
    if (auto r = runner.open(); !r) {
        runner.close(false);
        return r;
    }
    runner.loop();
    runner.close(true);
    return {};
}

}  // namespace sniprobe::middlebox
