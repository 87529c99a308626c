// The ClientHello-only probe's reading of the server's first record: ServerHello (TLS
// 1.3 version from supported_versions, TLS 1.2 from the legacy field), alert, other
// bytes, and incomplete input.
#include "probe/server_first_record.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sniprobe {
namespace {

std::vector<uint8_t> server_hello(uint16_t legacy, uint16_t cipher,
                                  std::vector<uint8_t> extensions) {
    std::vector<uint8_t> body{static_cast<uint8_t>(legacy >> 8), static_cast<uint8_t>(legacy)};
    body.resize(body.size() + 32, 0xab);  // random
    body.push_back(0);                    // session id length
    body.push_back(static_cast<uint8_t>(cipher >> 8));
    body.push_back(static_cast<uint8_t>(cipher));
    body.push_back(0);  // compression
    body.push_back(static_cast<uint8_t>(extensions.size() >> 8));
    body.push_back(static_cast<uint8_t>(extensions.size()));
    body.insert(body.end(), extensions.begin(), extensions.end());
    std::vector<uint8_t> hs{2, 0, static_cast<uint8_t>(body.size() >> 8),
                            static_cast<uint8_t>(body.size())};
    hs.insert(hs.end(), body.begin(), body.end());
    std::vector<uint8_t> record{22, 3, 3, static_cast<uint8_t>(hs.size() >> 8),
                                static_cast<uint8_t>(hs.size())};
    record.insert(record.end(), hs.begin(), hs.end());
    return record;
}

TEST(ServerFirstRecord, Tls13VersionComesFromSupportedVersions) {
    // key_share (x25519, empty key for brevity) then supported_versions = 0x0304
    auto bytes = server_hello(
        0x0303, 0x1302, {0x00, 0x33, 0x00, 0x02, 0x00, 0x1d, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04});
    bytes.insert(bytes.end(), {20, 3, 3, 0, 1, 1});  // ChangeCipherSpec after it
    auto r = read_server_first_record(bytes);
    EXPECT_EQ(r.kind, ServerFirstRecord::Kind::server_hello);
    EXPECT_EQ(r.tls_version, "TLSv1.3");
    EXPECT_EQ(r.cipher_suite, 0x1302);
}

TEST(ServerFirstRecord, Tls12VersionIsTheLegacyField) {
    auto r = read_server_first_record(server_hello(0x0303, 0xc02f, {}));
    EXPECT_EQ(r.kind, ServerFirstRecord::Kind::server_hello);
    EXPECT_EQ(r.tls_version, "TLSv1.2");
    EXPECT_EQ(r.cipher_suite, 0xc02f);
}

TEST(ServerFirstRecord, IncompleteUntilTheWholeRecordIsIn) {
    auto bytes = server_hello(0x0303, 0x1301, {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04});
    for (size_t n : {size_t{0}, size_t{3}, size_t{5}, bytes.size() - 1})
        EXPECT_EQ(read_server_first_record(std::span(bytes).first(n)).kind,
                  ServerFirstRecord::Kind::incomplete)
            << n;
}

TEST(ServerFirstRecord, AlertAndOtherBytes) {
    std::vector<uint8_t> alert{21, 3, 3, 0, 2, 2, 112};  // fatal unrecognized_name
    auto r = read_server_first_record(alert);
    EXPECT_EQ(r.kind, ServerFirstRecord::Kind::alert);
    EXPECT_EQ(r.alert_description, 112);
    std::string http = "HTTP/1.1 400 Bad Request\r\n";
    EXPECT_EQ(
        read_server_first_record({reinterpret_cast<const uint8_t*>(http.data()), http.size()}).kind,
        ServerFirstRecord::Kind::other);
    std::vector<uint8_t> not_hello{22, 3, 3, 0, 4, 11, 0, 0, 0};  // a Certificate first
    EXPECT_EQ(read_server_first_record(not_hello).kind, ServerFirstRecord::Kind::other);
    // A ServerHello cut short inside its body is still an answer, with no fields.
    std::vector<uint8_t> short_hello{22, 3, 3, 0, 6, 2, 0, 0, 2, 3, 3};
    auto s = read_server_first_record(short_hello);
    EXPECT_EQ(s.kind, ServerFirstRecord::Kind::server_hello);
    EXPECT_TRUE(s.tls_version.empty());
}

}  // namespace
}  // namespace sniprobe
