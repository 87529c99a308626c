// The capture session and the pcapng writer: the filter names the probed flows, a
// written pcapng file reads back through libpcap with every frame intact, and (as root)
// a live capture on loopback sees a real connection's handshake.
#include "capture/capture_session.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "capture/attach.hpp"
#include "capture/link_frame.hpp"
#include "capture/pcapng_writer.hpp"
#include "frames.hpp"
#include "support/temp.hpp"
#include "util/fd.hpp"
#include "util/subprocess.hpp"

namespace sniprobe::capture {
namespace {

TEST(CaptureFilter, RestrictsToProbedFlowsAndIcmpErrors) {
    CaptureSpec spec;
    spec.remote_addresses = {"10.77.3.2", "fd77::2"};
    spec.remote_ports = {443, 80};
    std::string f = build_capture_filter(spec);
    EXPECT_NE(f.find("tcp and (host 10.77.3.2 or host fd77::2) and (port 443 or port 80)"),
              std::string::npos)
        << f;
    EXPECT_NE(f.find("icmp-timxceed"), std::string::npos) << f;
    EXPECT_NE(f.find("icmp6"), std::string::npos) << f;
    spec.icmp = IcmpErrors::exclude;
    EXPECT_EQ(build_capture_filter(spec).find("icmp"), std::string::npos);
}

TEST(Pcapng, RoundTripsThroughLibpcap) {
    std::vector<CapturedPacket> packets;
    for (int i = 0; i < 3; ++i) {
        CapturedPacket p;
        p.ts_unix = 1'700'000'000.25 + i;
        p.link_type = i == 2 ? link_type::ethernet : link_type::linux_sll;
        test::Ipv4Tcp spec;
        spec.payload.assign(static_cast<size_t>(i) + 1, 0xAB);  // odd lengths exercise padding
        auto ip = test::ipv4_tcp(spec);
        p.frame = i == 2 ? test::ethernet(ip) : test::sll(ip);
        p.wire_len = static_cast<uint32_t>(p.frame.size() + 100);
        packets.push_back(p);
    }
    packets.pop_back();  // libpcap refuses sections mixing link types: keep one
    sniprobe::test::TempDir dir{"sniprobe-pcapng"};
    const std::string path = dir.file("roundtrip.pcapng");
    ASSERT_TRUE(write_pcapng(path, packets));
    auto back = read_capture_file(path);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->size(), packets.size());
    for (size_t i = 0; i < packets.size(); ++i) {
        EXPECT_EQ((*back)[i].frame, packets[i].frame);
        EXPECT_EQ((*back)[i].link_type, packets[i].link_type);
        EXPECT_EQ((*back)[i].wire_len, packets[i].wire_len);
        EXPECT_NEAR((*back)[i].ts_unix, packets[i].ts_unix, 1e-6);
    }
}

TEST(Pcapng, ReadingAMissingFileFails) {
    auto r = read_capture_file("/nonexistent/sniprobe.pcapng");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("/nonexistent/sniprobe.pcapng"), std::string::npos);
}

// Live: needs CAP_NET_RAW. A loopback connection to our own listener must show up
// as SYN, SYN-ACK, ACK on the flow, attached to the trial by its source port.
TEST(CaptureSession, SeesALoopbackHandshake) {
    if (::geteuid() != 0) GTEST_SKIP() << "live capture needs root";
    Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener.get(), 4), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
    uint16_t port = ntohs(addr.sin_port);

    CaptureSpec spec;
    spec.interface = "any";
    spec.remote_addresses = {"127.0.0.1"};
    spec.remote_ports = {port};
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    double run_start = static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
    auto session = CaptureSession::start(spec);
    ASSERT_TRUE(session) << session.error().message;

    Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    Fd accepted(::accept(listener.get(), nullptr, nullptr));
    sockaddr_in local{};
    len = sizeof local;
    ASSERT_EQ(::getsockname(client.get(), reinterpret_cast<sockaddr*>(&local), &len), 0);
    client.reset();
    accepted.reset();

    auto packets = session->stop();
    std::vector<Trial> trials(1);
    trials[0].address = "127.0.0.1";
    trials[0].port = port;
    trials[0].local_port = ntohs(local.sin_port);
    AttachStats stats = attach_packets(trials, packets, run_start);
    EXPECT_TRUE(stats.anomalies.empty());
    ASSERT_GE(trials[0].packets.size(), 3u);
    EXPECT_EQ(trials[0].packets[0].flags, tcp_flag::syn);
    EXPECT_EQ(trials[0].packets[0].direction, Direction::outbound);
    EXPECT_EQ(trials[0].packets[1].flags, tcp_flag::syn | tcp_flag::ack);
    EXPECT_EQ(trials[0].packets[1].direction, Direction::inbound);
    EXPECT_GE(trials[0].packets[0].t, 0.0);
    EXPECT_GE(session->stats().received, packets.size());
}

TEST(CaptureSession, UnknownInterfaceIsOneClearError) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to get past the permission check";
    CaptureSpec spec;
    spec.interface = "sniprobe-nosuch0";
    auto session = CaptureSession::start(spec);
    ASSERT_FALSE(session);
    EXPECT_NE(session.error().message.find("sniprobe-nosuch0"), std::string::npos)
        << session.error().message;
}

// Without privileges start() must fail with the one line users can act on. As root,
// a forked child drops to nobody (no capabilities) to see what a user would see.
TEST(CaptureSession, WithoutPrivilegeSaysHowToFixIt) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(fds[0]);
        if (::geteuid() == 0 &&
            (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0))
            ::_exit(3);
        auto session = CaptureSession::start(CaptureSpec{});
        std::string message = session ? "started" : session.error().message;
        auto n = ::write(fds[1], message.data(), message.size());
        ::_exit(n < 0 ? 4 : 0);
    }
    ::close(fds[1]);
    std::string message;
    char buf[256];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
        message.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_EQ(message, k_capture_permission_message);
}

// The `--pcap` contract: tshark reads our pcapng and finds the RST in it.
TEST(Pcapng, TsharkReadsTheResetFromIt) {
    if (::access("/usr/bin/tshark", X_OK) != 0) GTEST_SKIP() << "tshark not installed";
    test::Ipv4Tcp syn;
    test::Ipv4Tcp rst;
    rst.src = "10.0.0.2";
    rst.dst = "10.0.0.1";
    rst.src_port = 443;
    rst.dst_port = 40000;
    rst.flags = 0x14;
    std::vector<CapturedPacket> packets(2);
    packets[0].frame = test::sll(test::ipv4_tcp(syn));
    packets[1].frame = test::sll(test::ipv4_tcp(rst));
    for (auto& p : packets) {
        p.link_type = link_type::linux_sll;
        p.ts_unix = 1'700'000'000.5;
        p.wire_len = static_cast<uint32_t>(p.frame.size());
    }
    sniprobe::test::TempDir dir{"sniprobe-tshark"};
    const std::string path = dir.file("resets.pcapng");
    ASSERT_TRUE(write_pcapng(path, packets));
    auto all = run_command({"tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.number"});
    auto resets = run_command({"tshark", "-n", "-r", path, "-Y", "tcp.flags.reset==1", "-T",
                               "fields", "-e", "tcp.srcport"});
    ASSERT_TRUE(all && resets);
    EXPECT_EQ(all->exit_code, 0) << all->output;
    EXPECT_NE(all->output.find("2"), std::string::npos) << all->output;
    EXPECT_EQ(resets->exit_code, 0) << resets->output;
    EXPECT_NE(resets->output.find("443"), std::string::npos) << resets->output;
    EXPECT_EQ(resets->output.find("40000"), std::string::npos) << resets->output;
}

}  // namespace
}  // namespace sniprobe::capture
