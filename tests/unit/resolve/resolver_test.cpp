// resolve() without the network: IP literals, --ip, and names answered from a temporary
// hosts file with lookups restricted to the file ("f"), as the lab's /etc/hosts entries are.
#include "resolve/resolver.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "resolve/target.hpp"
#include "support/temp.hpp"

namespace sniprobe {
namespace {

class TempHosts : public test::TempFile {
  public:
    explicit TempHosts(const std::string& content) : TempFile("sniprobe-hosts", content) {}
};

ResolveOptions file_only(const TempHosts& hosts) {
    ResolveOptions o;
    o.hosts_file = hosts.path();
    o.hosts_only = true;
    o.timeout_ms = 2000;
    return o;
}

TEST(Resolve, IpLiteralResolvesToItself) {
    auto t = parse_target("[::1]:8443", 443).value();
    auto r = resolve(t, ResolveOptions{});
    EXPECT_EQ(r.failure, "");
    ASSERT_EQ(r.addresses.size(), 1u);
    EXPECT_EQ(r.addresses[0].address, "::1");
    EXPECT_EQ(r.addresses[0].family, "ipv6");
    EXPECT_EQ(r.addresses[0].source, "cli");
}

TEST(Resolve, NameFromHostsFileBothFamilies) {
    TempHosts hosts("10.77.3.2 blocked.test\nfd77:3::2 blocked.test\n127.0.0.1 localhost\n");
    auto t = parse_target("blocked.test", 443).value();
    auto r = resolve(t, file_only(hosts));
    EXPECT_EQ(r.failure, "");
    ASSERT_EQ(r.addresses.size(), 2u);
    bool v4 = false, v6 = false;
    for (const auto& a : r.addresses) {
        EXPECT_EQ(a.source, "dns");
        v4 |= a.address == "10.77.3.2" && a.family == "ipv4";
        v6 |= a.address == "fd77:3::2" && a.family == "ipv6";
    }
    EXPECT_TRUE(v4 && v6);
}

TEST(Resolve, FamilyAndMaxAddresses) {
    TempHosts hosts("10.77.3.2 multi.test\n10.77.3.3 multi.test\nfd77:3::2 multi.test\n");
    auto t = parse_target("multi.test", 443).value();
    auto o = file_only(hosts);
    o.family = AddressFamily::ipv6;
    auto r6 = resolve(t, o);
    ASSERT_EQ(r6.addresses.size(), 1u);
    EXPECT_EQ(r6.addresses[0].address, "fd77:3::2");
    o.family = AddressFamily::ipv4;
    o.max_addresses = 1;
    auto r4 = resolve(t, o);
    ASSERT_EQ(r4.addresses.size(), 1u);
    EXPECT_EQ(r4.addresses[0].family, "ipv4");
}

TEST(Resolve, UnknownNameIsNxdomain) {
    TempHosts hosts("10.77.3.2 blocked.test\n");
    auto t = parse_target("missing.test", 443).value();
    auto r = resolve(t, file_only(hosts));
    EXPECT_EQ(r.failure, "dns_nxdomain_error");
    EXPECT_TRUE(r.addresses.empty());
}

TEST(Resolve, ForcedIpIsProbedAndDnsAnswerKept) {
    TempHosts hosts("10.77.3.2 blocked.test\n");
    auto t = parse_target("blocked.test", 443).value();
    t.forced_ip = "10.77.3.9";
    auto r = resolve(t, file_only(hosts));
    ASSERT_EQ(r.addresses.size(), 1u);
    EXPECT_EQ(r.addresses[0].address, "10.77.3.9");
    EXPECT_EQ(r.addresses[0].source, "cli");
    ASSERT_EQ(r.dns_addresses.size(), 1u);
    EXPECT_EQ(r.dns_addresses[0], "10.77.3.2");
}

}  // namespace
}  // namespace sniprobe

namespace sniprobe {
namespace {

// The system hosts file is consulted before DNS ("fb"): the lab depends on it.
TEST(Resolve, SystemHostsFileAnswersLocalhost) {
    auto t = parse_target("localhost", 443).value();
    ResolveOptions o;
    o.family = AddressFamily::ipv4;
    o.timeout_ms = 2000;
    auto r = resolve(t, o);
    EXPECT_EQ(r.failure, "");
    ASSERT_FALSE(r.addresses.empty());
    EXPECT_EQ(r.addresses[0].address, "127.0.0.1");
}

}  // namespace
}  // namespace sniprobe
