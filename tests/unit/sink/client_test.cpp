// Sink URLs as users type them.
#include "sink/client.hpp"

#include <gtest/gtest.h>

namespace sniprobe::sink {
namespace {

TEST(SinkUrl, ParsesHostPortAndPrefix) {
    auto u = parse_sink_url("http://10.77.3.2:9443");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "10.77.3.2");
    EXPECT_EQ(u->port, 9443);
    EXPECT_EQ(u->prefix, "");
    auto v6 = parse_sink_url("http://[fd77::2]:9443/sink/");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "fd77::2");
    EXPECT_EQ(v6->prefix, "/sink");
}

TEST(SinkUrl, RejectsWhatItCannotReach) {
    for (const char* bad :
         {"10.77.3.2:9443", "https://x:1", "http://:9443", "http://x", "http://x:0",
          "http://x:99999", "http://[fd77::2:9443", "http://x:12ab"})
        EXPECT_FALSE(parse_sink_url(bad)) << bad;
}

TEST(LocalAddress, PicksTheLoopbackSourceForLoopback) {
    EXPECT_EQ(local_address_towards("127.0.0.1", 443), "127.0.0.1");
    EXPECT_EQ(local_address_towards("not an address", 443), "");
}

}  // namespace
}  // namespace sniprobe::sink
