// Socket addresses from IP literals and back: family, port byte order and length are right
// for IPv4 and IPv6, host names and junk are refused, and a real socket's local end reads back.
#include "util/sockaddr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include "util/fd.hpp"

namespace sniprobe {
namespace {

TEST(SocketAddress, Ipv4LiteralWithPort) {
    auto a = socket_address_from_text("192.0.2.7", 443);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->family(), AF_INET);
    EXPECT_EQ(a->length, sizeof(sockaddr_in));
    EXPECT_EQ(reinterpret_cast<const sockaddr_in&>(a->storage).sin_port, htons(443));
    EXPECT_EQ(address_text(a->storage), "192.0.2.7");
    EXPECT_EQ(address_port(a->storage), 443);
}

TEST(SocketAddress, Ipv6LiteralWithPort) {
    auto a = socket_address_from_text("2001:db8::1", 8443);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->family(), AF_INET6);
    EXPECT_EQ(a->length, sizeof(sockaddr_in6));
    EXPECT_EQ(address_text(a->storage), "2001:db8::1");
    EXPECT_EQ(address_port(a->storage), 8443);
}

TEST(SocketAddress, MappedIpv4IsAnIpv6Address) {
    auto a = socket_address_from_text("::ffff:192.0.2.7", 80);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->family(), AF_INET6);
}

TEST(SocketAddress, NamesAndJunkAreRefused) {
    EXPECT_FALSE(socket_address_from_text("example.com", 443));
    EXPECT_FALSE(socket_address_from_text("", 443));
    EXPECT_FALSE(socket_address_from_text("192.0.2.300", 443));
    EXPECT_FALSE(socket_address_from_text("192.0.2.7:443", 443));
}

TEST(SocketAddress, WildcardOfEachFamily) {
    auto v4 = wildcard_socket_address(AF_INET, 0);
    EXPECT_EQ(v4.family(), AF_INET);
    EXPECT_EQ(address_text(v4.storage), "0.0.0.0");
    auto v6 = wildcard_socket_address(AF_INET6, 53);
    EXPECT_EQ(v6.family(), AF_INET6);
    EXPECT_EQ(address_text(v6.storage), "::");
    EXPECT_EQ(address_port(v6.storage), 53);
}

TEST(SocketAddress, OtherFamiliesHaveNoTextOrPort) {
    sockaddr_storage unix_address{};
    unix_address.ss_family = AF_UNIX;
    EXPECT_EQ(address_text(unix_address), "");
    EXPECT_EQ(address_port(unix_address), 0);
}

TEST(SocketAddress, LocalEndOfABoundSocket) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_TRUE(fd);
    auto any = socket_address_from_text("127.0.0.1", 0);
    ASSERT_TRUE(any);
    ASSERT_EQ(::bind(fd.get(), any->get(), any->length), 0);
    auto local = socket_address_of(fd.get(), SocketEnd::local);
    ASSERT_TRUE(local);
    EXPECT_EQ(address_text(local->storage), "127.0.0.1");
    EXPECT_NE(address_port(local->storage), 0);                  // the kernel picked one
    EXPECT_FALSE(socket_address_of(fd.get(), SocketEnd::peer));  // not connected
}

}  // namespace
}  // namespace sniprobe
