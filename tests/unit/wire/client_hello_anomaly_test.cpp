// Corrupted ClientHellos: each test takes a real captured hello, breaks one field the
// way a broken client or an adversary would, and checks the parser names the fault
// (and that quick_sni, the middlebox fast path, gives up rather than guess).
#include <gtest/gtest.h>

#include "hello_fixtures.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe::wire {
namespace {

using test::load_hello;

void put16(std::vector<uint8_t>& s, size_t at, size_t v) {
    s[at] = static_cast<uint8_t>(v >> 8);
    s[at + 1] = static_cast<uint8_t>(v);
}
size_t get16(const std::vector<uint8_t>& s, size_t at) {
    return static_cast<size_t>((s[at] << 8) | s[at + 1]);
}

HelloAnomaly anomaly_of(const std::vector<uint8_t>& s) {
    return parse_client_hello(s).anomaly;
}

class Corrupted : public ::testing::Test {
  protected:
    std::vector<uint8_t> s = load_hello("curl_h2.bin");
    // Offset of the extension of `type`'s header, or 0.
    size_t extension_at(uint16_t type) const {
        for (size_t at : test::extension_offsets(s)) {
            if (get16(s, at) == type) return at;
        }
        return 0;
    }
};

TEST_F(Corrupted, RecordLayer) {
    auto t = s;
    t[0] = 0x17;  // application data
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::not_tls);
    EXPECT_EQ(parse_client_hello(std::span(t.data(), 1)).anomaly, HelloAnomaly::not_tls);
    t = s;
    t[1] = 0x02;
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_record_version);
    t = s;
    put16(t, 3, 16384 + 2048 + 1);
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::record_too_long);
    EXPECT_FALSE(quick_sni(t));
}

TEST_F(Corrupted, HandshakeHeader) {
    auto t = s;
    t[5] = 0x02;  // ServerHello
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::not_client_hello);
    t = s;
    t[6] = 0x01;  // 24-bit length > 64 KiB
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::handshake_too_long);
    // Handshake length one short: the extensions block now points past the hello's end.
    t = s;
    t[8] = static_cast<uint8_t>(t[8] - 1);
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::truncated_body);
}

TEST_F(Corrupted, BodyLengths) {
    const size_t session_id_at = 5 + 4 + 2 + 32;
    auto t = s;
    t[session_id_at] = 33;
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_session_id);
    const size_t suites_at = session_id_at + 1 + s[session_id_at];
    t = s;
    put16(t, suites_at, get16(s, suites_at) - 1);
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_cipher_suites);
    t = s;
    put16(t, suites_at, 0);
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_cipher_suites);
    t = s;
    put16(t, suites_at, 0xfffe);  // even, but far past the end of the hello
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::truncated_body);
    const size_t compression_at = suites_at + 2 + get16(s, suites_at);
    t = s;
    t[compression_at] = 0;
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_compression_methods);
}

TEST_F(Corrupted, ExtensionsBlock) {
    const size_t at = test::extensions_length_offset(s);
    auto t = s;
    put16(t, at, get16(s, at) + 1);
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::truncated_body);
    t = s;
    put16(t, at, get16(s, at) - 1);
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_extension_block);
    // The last extension claims one byte more than the block holds.
    const size_t last = test::extension_offsets(s).back();
    t = s;
    put16(t, last + 2, get16(s, last + 2) + 1);
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_extension_block);
    // Visible early: a prefix that already shows the lie is not "incomplete".
    EXPECT_EQ(parse_client_hello(std::span(t.data(), last + 4)).anomaly,
              HelloAnomaly::bad_extension_block);
}

TEST_F(Corrupted, DuplicateExtension) {
    const auto offsets = test::extension_offsets(s);
    ASSERT_GE(offsets.size(), 3u);
    const size_t sni_at = extension_at(0);
    ASSERT_NE(sni_at, 0u);
    // Retype the extension after server_name as a second server_name.
    size_t victim = 0;
    for (size_t i = 0; i + 1 < offsets.size(); ++i) {
        if (offsets[i] == sni_at) victim = offsets[i + 1];
    }
    ASSERT_NE(victim, 0u);
    auto t = s;
    put16(t, victim, 0);
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::duplicate_extension);
}

TEST_F(Corrupted, ServerName) {
    const size_t at = extension_at(0);
    ASSERT_NE(at, 0u);
    auto t = s;
    put16(t, at + 4, get16(s, at + 4) + 1);  // server_name_list length
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_server_name);
    EXPECT_FALSE(quick_sni(t));
    t = s;
    put16(t, at + 4 + 3, get16(s, at + 4 + 3) + 1);  // host_name length past the list
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_server_name);
    t = s;
    put16(t, at + 4 + 3, 0);  // empty host_name
    EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_server_name);
}

TEST_F(Corrupted, KnownExtensionBodies) {
    for (uint16_t type : {uint16_t{16}, uint16_t{43}, uint16_t{51}, uint16_t{10}}) {
        const size_t at = extension_at(type);
        ASSERT_NE(at, 0u) << type;
        auto t = s;
        t[at + 4] = static_cast<uint8_t>(t[at + 4] ^ 0x01);  // inner list length off
        EXPECT_EQ(anomaly_of(t), HelloAnomaly::bad_extension_body) << "extension " << type;
    }
}

TEST(ClientHelloRecords, NonHandshakeRecordInsideTheHello) {
    const auto s = load_hello("openssl_sni.bin");
    const auto message = test::handshake_of(s);
    auto t = test::frame_records(message, {100});
    const std::vector<uint8_t> ccs = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    t.insert(t.begin() + 5 + 100, ccs.begin(), ccs.end());
    EXPECT_EQ(parse_client_hello(t).anomaly, HelloAnomaly::interleaved_record);
}

TEST(ClientHelloRecords, ZeroLengthAndOneByteRecords) {
    const auto s = load_hello("openssl_sni.bin");
    const auto message = test::handshake_of(s);
    std::vector<size_t> cuts;
    for (size_t i = 1; i < message.size(); ++i) cuts.push_back(i);  // one byte per record
    const auto t = test::frame_records(message, cuts);
    const HelloParse p = parse_client_hello(t);
    ASSERT_EQ(p.anomaly, HelloAnomaly::none) << hello_anomaly_name(p.anomaly);
    EXPECT_EQ(p.hello->record_count, static_cast<int>(message.size()));
    EXPECT_EQ(p.hello->sni(), "blocked.test");
    EXPECT_EQ(t[*p.hello->sni_offset], 'b');
    EXPECT_EQ(t[*p.hello->sni_offset + 6], 'l');  // the next name byte is one record (6 bytes) on
    // An empty record first is tolerated (RFC 8446 forbids sending it, not parsing it).
    auto z = s;
    const std::vector<uint8_t> empty = {0x16, 0x03, 0x01, 0x00, 0x00};
    z.insert(z.begin(), empty.begin(), empty.end());
    const HelloParse q = parse_client_hello(z);
    ASSERT_EQ(q.anomaly, HelloAnomaly::none);
    EXPECT_EQ(q.hello->record_count, 2);
}

// A synthetic hello with `types` as empty extensions.
std::vector<uint8_t> hello_with_extensions(const std::vector<uint16_t>& types) {
    std::vector<uint8_t> m = {0x01, 0, 0, 0, 0x03, 0x03};
    m.resize(m.size() + 32, 0x11);
    for (int b : {0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00}) m.push_back(static_cast<uint8_t>(b));
    const size_t ext_len = types.size() * 4;
    m.push_back(static_cast<uint8_t>(ext_len >> 8));
    m.push_back(static_cast<uint8_t>(ext_len));
    for (uint16_t t : types) {
        for (int b : {t >> 8, t & 0xff, 0, 0}) m.push_back(static_cast<uint8_t>(b));
    }
    const size_t body = m.size() - 4;
    m[2] = static_cast<uint8_t>(body >> 8);
    m[3] = static_cast<uint8_t>(body);
    return test::frame_records(m, {});
}

TEST(ClientHelloExtensions, DuplicatesFoundAmongMany) {
    std::vector<uint16_t> types;
    for (uint16_t t = 1000; t < 1300; ++t) types.push_back(t);
    const HelloParse ok = parse_client_hello(hello_with_extensions(types));
    ASSERT_EQ(ok.anomaly, HelloAnomaly::none) << hello_anomaly_name(ok.anomaly);
    EXPECT_EQ(ok.hello->extensions.size(), 300u);
    EXPECT_EQ(ok.hello->extensions[299].type, 1299);
    for (size_t dup_at : {size_t{5}, size_t{47}, size_t{48}, size_t{200}}) {
        auto with_dup = types;
        with_dup.insert(with_dup.begin() + static_cast<long>(dup_at) + 1, types[dup_at]);
        EXPECT_EQ(parse_client_hello(hello_with_extensions(with_dup)).anomaly,
                  HelloAnomaly::duplicate_extension)
            << dup_at;
        with_dup = types;
        with_dup.push_back(types[dup_at]);
        EXPECT_EQ(parse_client_hello(hello_with_extensions(with_dup)).anomaly,
                  HelloAnomaly::duplicate_extension)
            << dup_at;
    }
}

TEST(ClientHelloRecords, EmptyInputIsIncomplete) {
    EXPECT_EQ(parse_client_hello({}).anomaly, HelloAnomaly::incomplete);
    EXPECT_FALSE(quick_sni({}));
}

}  // namespace
}  // namespace sniprobe::wire
