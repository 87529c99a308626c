// Hello shaping on a real OpenSSL ClientHello: the TCP split cuts inside the name and
// loses no byte; the record split yields two records holding the same handshake.
#include "probe/hello_shaping.hpp"

#include <gtest/gtest.h>

#include "probe/tls_session.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe {
namespace {

std::vector<uint8_t> real_hello(const std::string& name) {
    static auto contexts = TlsContexts::create("").value();
    TlsSession session(contexts, TlsProfile::handshake, name, "127.0.0.1");
    session.advance();
    return session.take_output();
}

TEST(HelloShaping, WholeIsUnchanged) {
    auto hello = real_hello("blocked.test");
    auto shaped = shape_client_hello(hello, HelloShape::whole);
    ASSERT_EQ(shaped.writes.size(), 1u);
    EXPECT_EQ(shaped.writes[0], hello);
}

TEST(HelloShaping, TcpSplitCutsInsideTheName) {
    auto hello = real_hello("blocked.test");
    auto parsed = wire::parse_client_hello(hello);
    ASSERT_TRUE(parsed.hello && parsed.hello->sni_offset);
    auto shaped = shape_client_hello(hello, HelloShape::split_tcp);
    ASSERT_EQ(shaped.writes.size(), 2u);
    EXPECT_GT(shaped.split_offset, *parsed.hello->sni_offset);
    EXPECT_LT(shaped.split_offset, *parsed.hello->sni_offset + std::string("blocked.test").size());
    std::vector<uint8_t> joined = shaped.writes[0];
    joined.insert(joined.end(), shaped.writes[1].begin(), shaped.writes[1].end());
    EXPECT_EQ(joined, hello);
    // Neither piece alone carries the whole name.
    EXPECT_NE(wire::parse_client_hello(shaped.writes[0]).anomaly, wire::HelloAnomaly::none);
}

TEST(HelloShaping, RecordSplitKeepsTheHandshakeBytes) {
    auto hello = real_hello("blocked.test");
    auto shaped = shape_client_hello(hello, HelloShape::split_record);
    ASSERT_EQ(shaped.writes.size(), 1u);
    const auto& bytes = shaped.writes[0];
    EXPECT_EQ(bytes.size(), hello.size() + 5);
    auto parsed = wire::parse_client_hello(bytes);
    ASSERT_TRUE(parsed.hello) << wire::hello_anomaly_name(parsed.anomaly);
    EXPECT_EQ(parsed.hello->record_count, 2);
    EXPECT_EQ(parsed.hello->sni(), "blocked.test");
    // Strip both record headers: the handshake bytes are the original ones.
    size_t first_len = (size_t{bytes[3]} << 8) | bytes[4];
    std::vector<uint8_t> handshake(bytes.begin() + 5,
                                   bytes.begin() + 5 + static_cast<long>(first_len));
    handshake.insert(handshake.end(), bytes.begin() + 10 + static_cast<long>(first_len),
                     bytes.end());
    EXPECT_EQ(handshake, std::vector<uint8_t>(hello.begin() + 5, hello.end()));
}

TEST(HelloShaping, NoSniSplitsMidHello) {
    auto hello = real_hello("");
    auto shaped = shape_client_hello(hello, HelloShape::split_tcp);
    ASSERT_EQ(shaped.writes.size(), 2u);
    EXPECT_EQ(shaped.writes[0].size() + shaped.writes[1].size(), hello.size());
}

TEST(HelloShaping, GarbagePassesThroughWhole) {
    std::vector<uint8_t> junk{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
    for (auto shape : {HelloShape::split_tcp, HelloShape::split_record}) {
        auto shaped = shape_client_hello(junk, shape);
        ASSERT_EQ(shaped.writes.size(), 1u);
        EXPECT_EQ(shaped.writes[0], junk);
    }
    EXPECT_EQ(shape_client_hello({}, HelloShape::split_tcp).writes.size(), 1u);
}

TEST(TlsSession, AlertNamesAreSnakeCase) {
    EXPECT_EQ(alert_name(112), "unrecognized_name");
    EXPECT_EQ(alert_name(40), "handshake_failure");
    EXPECT_EQ(alert_name(70), "protocol_version");
    EXPECT_EQ(alert_name(48), "unknown_ca");
}

}  // namespace
}  // namespace sniprobe
