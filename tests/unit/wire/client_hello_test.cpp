// ClientHello parser against real hellos captured from OpenSSL and curl (see
// tests/data/client_hello/README.txt for how each was made and the tshark cross-check
// the expected values come from), every prefix of them, re-framings across TLS
// records, and deliberately corrupted length fields.
#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "hello_fixtures.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe::wire {
namespace {

using test::load_hello;

struct Expected {
    std::string file;
    std::string sni;
    std::vector<std::string> alpn;
    std::vector<uint16_t> supported_versions;
    std::vector<uint16_t> key_share_groups;
    size_t supported_group_count;
    size_t cipher_suite_count;
    int record_count;
};

const std::vector<uint16_t> k_tls13_versions = {0x0304, 0x0303, 0x0302, 0x0301};

std::vector<Expected> fixtures() {
    std::vector<std::string> many_alpn = {"h2", "http/1.1"};
    for (int i = 0; i < 12; ++i) {
        many_alpn.push_back((i < 10 ? "proto-0" : "proto-") + std::to_string(i) + "-" +
                            std::string(20, 'x'));
    }
    return {
        {"openssl_sni.bin", "blocked.test", {}, k_tls13_versions, {0x001d}, 10, 31, 1},
        {"openssl_no_sni.bin", "", {}, k_tls13_versions, {0x001d}, 10, 31, 1},
        {"openssl_groups.bin", "blocked.test", {}, k_tls13_versions, {0x001d}, 2, 31, 1},
        {"openssl_tls12.bin", "blocked.test", {}, {}, {}, 5, 28, 1},
        {"curl_h2.bin", "blocked.test", {"h2", "http/1.1"}, k_tls13_versions, {0x001d}, 10, 31, 1},
        {"curl_http11.bin", "blocked.test", {"http/1.1"}, k_tls13_versions, {0x001d}, 10, 31, 1},
        {"openssl_two_records.bin",
         "blocked.test",
         many_alpn,
         k_tls13_versions,
         {0x001d},
         10,
         31,
         2},
    };
}

// Readable test names in failures instead of a byte dump.
void PrintTo(const Expected& e, std::ostream* os) {
    *os << e.file;
}

class FixtureTest : public ::testing::TestWithParam<Expected> {};

TEST_P(FixtureTest, ParsesWhatTheClientSent) {
    const Expected& want = GetParam();
    const auto stream = load_hello(want.file);
    const HelloParse parsed = parse_client_hello(stream);
    ASSERT_EQ(parsed.anomaly, HelloAnomaly::none) << hello_anomaly_name(parsed.anomaly);
    ASSERT_TRUE(parsed.hello);
    const ClientHello& h = *parsed.hello;
    EXPECT_EQ(h.sni(), want.sni);
    EXPECT_EQ(h.server_names.size(), want.sni.empty() ? 0u : 1u);
    EXPECT_EQ(h.alpn, want.alpn);
    EXPECT_EQ(h.supported_versions, want.supported_versions);
    EXPECT_EQ(h.key_share_groups, want.key_share_groups);
    EXPECT_EQ(h.supported_groups.size(), want.supported_group_count);
    EXPECT_EQ(h.cipher_suites.size(), want.cipher_suite_count);
    EXPECT_EQ(h.record_count, want.record_count);
    EXPECT_EQ(h.record_version, 0x0301);
    EXPECT_EQ(h.legacy_version, 0x0303);
    EXPECT_EQ(h.stream_bytes, stream.size());
    EXPECT_EQ(h.hello_length + 4 + 5 * static_cast<size_t>(want.record_count), stream.size());
    // The extension list accounts for every byte of the extensions block.
    size_t ext_bytes = 0;
    for (const auto& e : h.extensions) ext_bytes += 4u + e.length;
    const size_t at = test::extensions_length_offset(stream);
    if (want.record_count == 1) {
        EXPECT_EQ(ext_bytes, static_cast<size_t>((stream[at] << 8) | stream[at + 1]));
    }
    if (want.sni.empty()) {
        EXPECT_FALSE(h.sni_offset);
    } else {
        ASSERT_TRUE(h.sni_offset);
        ASSERT_LE(*h.sni_offset + want.sni.size(), stream.size());
        EXPECT_EQ(std::string(stream.begin() + static_cast<long>(*h.sni_offset),
                              stream.begin() + static_cast<long>(*h.sni_offset + want.sni.size())),
                  want.sni);
    }
    EXPECT_EQ(quick_sni(stream).value_or(""), want.sni);
}

// Any TCP segmentation delivers a prefix: it must say "incomplete", never a wrong
// answer, and quick_sni may only ever answer with the true name.
TEST_P(FixtureTest, EveryPrefixIsIncomplete) {
    const Expected& want = GetParam();
    const auto stream = load_hello(want.file);
    const auto full = parse_client_hello(stream);
    ASSERT_TRUE(full.hello);
    for (size_t n = 0; n < stream.size(); ++n) {
        const std::span<const uint8_t> prefix(stream.data(), n);
        const HelloParse p = parse_client_hello(prefix);
        ASSERT_EQ(p.anomaly, HelloAnomaly::incomplete)
            << "prefix " << n << ": " << hello_anomaly_name(p.anomaly);
        EXPECT_FALSE(p.hello);
        const auto quick = quick_sni(prefix);
        if (full.hello->sni_offset && n >= *full.hello->sni_offset + want.sni.size()) {
            ASSERT_EQ(quick.value_or("<none>"), want.sni) << "prefix " << n;
        } else {
            ASSERT_FALSE(quick) << "prefix " << n;
        }
    }
}

TEST_P(FixtureTest, ReframedAcrossRecordsParsesTheSame) {
    const Expected& want = GetParam();
    const auto stream = load_hello(want.file);
    const auto message = test::handshake_of(stream);
    const auto single = parse_client_hello(test::frame_records(message, {}));
    ASSERT_TRUE(single.hello);
    ASSERT_EQ(single.hello->record_count, 1);
    // Two records cut at the middle; three records cut inside the SNI (or near the start).
    const size_t sni_in_message = single.hello->sni_offset ? *single.hello->sni_offset - 5 : 40;
    const std::vector<std::vector<size_t>> framings = {
        {message.size() / 2},
        {3, sni_in_message + 4},
        {sni_in_message, sni_in_message + 1},
    };
    for (const auto& cuts : framings) {
        const auto reframed = test::frame_records(message, cuts);
        const HelloParse p = parse_client_hello(reframed);
        ASSERT_EQ(p.anomaly, HelloAnomaly::none) << hello_anomaly_name(p.anomaly);
        const ClientHello& h = *p.hello;
        EXPECT_EQ(h.record_count, static_cast<int>(cuts.size() + 1));
        EXPECT_EQ(h.stream_bytes, reframed.size());
        EXPECT_EQ(h.sni(), want.sni);
        EXPECT_EQ(h.alpn, single.hello->alpn);
        EXPECT_EQ(h.cipher_suites, single.hello->cipher_suites);
        EXPECT_EQ(h.key_share_groups, single.hello->key_share_groups);
        EXPECT_EQ(h.extensions.size(), single.hello->extensions.size());
        EXPECT_EQ(quick_sni(reframed).value_or(""), want.sni);
        if (!want.sni.empty()) {
            // The name's first byte, wherever the records put it.
            ASSERT_TRUE(h.sni_offset);
            EXPECT_EQ(reframed[*h.sni_offset], static_cast<uint8_t>(want.sni.front()));
        }
        for (size_t n = 0; n < reframed.size(); ++n) {
            ASSERT_EQ(parse_client_hello(std::span(reframed.data(), n)).anomaly,
                      HelloAnomaly::incomplete)
                << n;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Captured, FixtureTest, ::testing::ValuesIn(fixtures()),
                         [](const ::testing::TestParamInfo<Expected>& param_info) {
                             const std::string& file = param_info.param.file;
                             return file.substr(0, file.find('.'));
                         });

// Followed by other records (ChangeCipherSpec, early data): only the hello is consumed.
TEST(ClientHello, StopsAtTheEndOfTheHello) {
    auto stream = load_hello("openssl_sni.bin");
    const size_t hello_bytes = stream.size();
    const std::vector<uint8_t> ccs = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    stream.insert(stream.end(), ccs.begin(), ccs.end());
    const HelloParse p = parse_client_hello(stream);
    ASSERT_EQ(p.anomaly, HelloAnomaly::none);
    EXPECT_EQ(p.hello->stream_bytes, hello_bytes);
    // Bytes after the hello inside its own record are not part of it either.
    auto message = test::handshake_of(load_hello("openssl_sni.bin"));
    const size_t hello_end = 5 + message.size();
    message.insert(message.end(), {0x0f, 0x00, 0x00, 0x00});
    const auto padded = test::frame_records(message, {});
    const HelloParse q = parse_client_hello(std::span(padded.data(), hello_end));
    ASSERT_EQ(q.anomaly, HelloAnomaly::none);
    EXPECT_EQ(q.hello->stream_bytes, hello_end);
    EXPECT_EQ(parse_client_hello(padded).hello->stream_bytes, hello_end);
}

// quick_extension_types: every extension header present, in order, also in a cut hello.
TEST(ClientHello, QuickExtensionTypesReadACutHello) {
    const auto stream = load_hello("openssl_sni.bin");
    const HelloParse full = parse_client_hello(stream);
    ASSERT_EQ(full.anomaly, HelloAnomaly::none);
    std::vector<uint16_t> all;
    for (const auto& e : full.hello->extensions) all.push_back(e.type);
    EXPECT_EQ(quick_extension_types(stream), all);
    // Cut anywhere: a prefix of the full list, growing with the bytes.
    size_t seen = 0;
    for (size_t n = 0; n <= stream.size(); ++n) {
        const auto cut = quick_extension_types(std::span(stream.data(), n));
        ASSERT_LE(cut.size(), all.size());
        EXPECT_TRUE(std::equal(cut.begin(), cut.end(), all.begin())) << n;
        EXPECT_GE(cut.size(), seen) << n;
        seen = cut.size();
    }
    EXPECT_EQ(seen, all.size());
    // Not a hello: nothing.
    const std::vector<uint8_t> http = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
    EXPECT_TRUE(quick_extension_types(http).empty());
}

TEST(ClientHello, HelloWithoutExtensionsIsValid) {
    // legacy_version, random, empty session id, one suite, null compression.
    std::vector<uint8_t> message = {0x01, 0x00, 0x00, 0x00, 0x03, 0x01};
    message.resize(message.size() + 32, 0xab);
    for (int b : {0x00, 0x00, 0x02, 0x00, 0x2f, 0x01, 0x00})
        message.push_back(static_cast<uint8_t>(b));
    message[3] = static_cast<uint8_t>(message.size() - 4);
    const HelloParse p = parse_client_hello(test::frame_records(message, {}));
    ASSERT_EQ(p.anomaly, HelloAnomaly::none) << hello_anomaly_name(p.anomaly);
    EXPECT_EQ(p.hello->cipher_suites, std::vector<uint16_t>{0x002f});
    EXPECT_TRUE(p.hello->extensions.empty());
    EXPECT_EQ(p.hello->sni(), "");
}

TEST(ClientHello, AnomalyNamesAreStable) {
    EXPECT_EQ(hello_anomaly_name(HelloAnomaly::truncated_body), "truncated_body");
    EXPECT_EQ(hello_anomaly_name(HelloAnomaly::interleaved_record), "interleaved_record");
    EXPECT_EQ(hello_anomaly_name(HelloAnomaly::bad_extension_body), "bad_extension_body");
}

}  // namespace
}  // namespace sniprobe::wire
