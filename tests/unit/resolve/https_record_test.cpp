// HTTPS records (RFC 9460): the wire-format vectors of its Appendix D, an ECH-carrying
// record whose ECHConfigList follows RFC 9849 §4, a whole DNS response with a compressed
// owner name and a CNAME before the answer, and the malformed records the parser must
// refuse with a reason (compressed TargetName, keys out of order, values past the end,
// AliasMode with parameters, empty alpn ids, a query instead of a response).
#include "resolve/https_record.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sniprobe {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// RFC 9460 Appendix D.1: example.com. HTTPS 0 foo.example.com.
const Bytes k_alias{0x00, 0x00, 0x03, 'f', 'o',  'o', 0x07, 'e', 'x', 'a',
                    'm',  'p',  'l',  'e', 0x03, 'c', 'o',  'm', 0x00};
// D.2, Figure 3: example.com. SVCB 1 .
const Bytes k_owner{0x00, 0x01, 0x00};
// D.2, Figure 4: example.com. SVCB 16 foo.example.com. port=53
const Bytes k_port{0x00, 0x10, 0x03, 'f', 'o', 'o',  0x07, 'e',  'x',  'a',  'm',  'p', 'l',
                   'e',  0x03, 'c',  'o', 'm', 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x35};
// D.2, Figure 8: example.com. SVCB 16 foo.example.org. ( alpn=h2,h3-19
// mandatory=ipv4hint,alpn ipv4hint=192.0.2.1 )
const Bytes k_alpn{0x00, 0x10, 0x03, 'f',  'o',  'o',  0x07, 'e',  'x',  'a',  'm',  'p',
                   'l',  'e',  0x03, 'o',  'r',  'g',  0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                   0x01, 0x00, 0x04, 0x00, 0x01, 0x00, 0x09, 0x02, 'h',  '2',  0x05, 'h',
                   '3',  '-',  '1',  '9',  0x00, 0x04, 0x00, 0x04, 0xc0, 0x00, 0x02, 0x01};

// A Cloudflare-style record: HTTPS 1 . alpn=h3,h2 ech=<one ECHConfig, public_name
// cloudflare-ech.com, X25519 (kem 0x0020), HKDF-SHA256/AES-128-GCM>.
Bytes ech_record() {
    Bytes key(32, 0x5a);
    Bytes contents = cat(
        {{0x2a, 0x00, 0x20, 0x00, 0x20},
         key,
         {0x00, 0x04, 0x00, 0x01, 0x00, 0x01, 0x00, 0x12},
         {'c', 'l', 'o', 'u', 'd', 'f', 'l', 'a', 'r', 'e', '-', 'e', 'c', 'h', '.', 'c', 'o', 'm'},
         {0x00, 0x00}});
    // version 0xfe0d, length
    Bytes config = cat({{0xfe, 0x0d, 0x00, static_cast<uint8_t>(contents.size())}, contents});
    Bytes list = cat({{0x00, static_cast<uint8_t>(config.size())}, config});
    return cat({{0x00, 0x01, 0x00},
                {0x00, 0x01, 0x00, 0x06, 0x02, 'h', '3', 0x02, 'h', '2'},
                {0x00, 0x05, 0x00, static_cast<uint8_t>(list.size())},
                list});
}

TEST(HttpsRecord, ReadsTheRfc9460Vectors) {
    auto alias = parse_https_rdata(k_alias);
    ASSERT_TRUE(alias) << alias.error().message;
    EXPECT_TRUE(alias->alias());
    EXPECT_EQ(alias->target, "foo.example.com");
    EXPECT_TRUE(alias->keys.empty());

    auto owner = parse_https_rdata(k_owner);
    ASSERT_TRUE(owner) << owner.error().message;
    EXPECT_EQ(owner->priority, 1);
    EXPECT_EQ(owner->target, ".");

    auto port = parse_https_rdata(k_port);
    ASSERT_TRUE(port) << port.error().message;
    EXPECT_EQ(port->priority, 16);
    EXPECT_EQ(port->port, uint16_t{53});
    EXPECT_TRUE(port->alpn.empty());

    auto alpn = parse_https_rdata(k_alpn);
    ASSERT_TRUE(alpn) << alpn.error().message;
    EXPECT_EQ(alpn->target, "foo.example.org");
    EXPECT_EQ(alpn->alpn, (std::vector<std::string>{"h2", "h3-19"}));
    EXPECT_FALSE(alpn->has_alpn("h3"));
    EXPECT_EQ(alpn->keys, (std::vector<uint16_t>{0, 1, 4}));
    EXPECT_TRUE(alpn->ech.empty());
}

TEST(HttpsRecord, ReadsAlpnH3AndTheEchPublicName) {
    const Bytes rdata = ech_record();
    auto rec = parse_https_rdata(rdata);
    ASSERT_TRUE(rec) << rec.error().message;
    EXPECT_TRUE(rec->has_alpn("h3"));
    EXPECT_EQ(rec->ech.size(), rdata.size() - 3 - 10 - 4);
    EXPECT_EQ(rec->ech_public_names, std::vector<std::string>{"cloudflare-ech.com"});
    // A malformed ECHConfigList keeps the bytes but names nothing.
    Bytes broken = rdata;
    broken.back() = 0x07;  // extensions length now points past the config
    auto lenient = parse_https_rdata(broken);
    ASSERT_TRUE(lenient);
    EXPECT_FALSE(lenient->ech.empty());
    EXPECT_TRUE(lenient->ech_public_names.empty());
}

TEST(HttpsRecord, ReadsTheAnswersOfADnsResponse) {
    const Bytes rdata = ech_record();
    const Bytes message = cat({
        {0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00},
        // question: www.example.com HTTPS IN
        {0x03, 'w',  'w', 'w', 0x07, 'e',  'x',  'a',  'm',  'p', 'l',
         'e',  0x03, 'c', 'o', 'm',  0x00, 0x00, 0x41, 0x00, 0x01},
        // answer 1: CNAME (owner compressed to the question), skipped
        {0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x02, 0xc0, 0x10},
        // answer 2: HTTPS
        {0xc0, 0x10, 0x00, 0x41, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00,
         static_cast<uint8_t>(rdata.size())},
        rdata,
    });
    auto records = https_records_from_response(message);
    ASSERT_TRUE(records) << records.error().message;
    ASSERT_EQ(records->size(), 1u);
    EXPECT_TRUE(records->front().has_alpn("h3"));
    // Cut anywhere: an error, never a crash or a half record.
    for (size_t n = 0; n < message.size(); ++n)
        EXPECT_FALSE(https_records_from_response(std::span(message.data(), n))) << n;
    // A query is not an answer.
    Bytes query = message;
    query[2] = 0x01;
    EXPECT_FALSE(https_records_from_response(query));
}

TEST(HttpsRecord, RefusesMalformedRecordsWithAReason) {
    auto refused = [](const Bytes& b, const std::string& why) {
        auto r = parse_https_rdata(b);
        ASSERT_FALSE(r) << why;
        EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
    };
    refused({0x00}, "SvcPriority");
    refused({0x00, 0x01, 0xc0, 0x0c}, "compressed");
    refused(cat({k_owner,
                 {0x00, 0x03, 0x00, 0x02, 0x00, 0x35, 0x00, 0x01, 0x00, 0x03, 0x02, 'h', '2'}}),
            "ascending");
    refused(cat({k_owner, {0x00, 0x01, 0x00, 0x09, 0x02, 'h', '2'}}), "past the record");
    refused(cat({k_owner, {0x00, 0x01, 0x00, 0x02, 0x00, 0x00}}), "alpn");
    refused(cat({k_owner, {0x00, 0x03, 0x00, 0x01, 0x35}}), "port");
    refused(cat({k_alias, {0x00, 0x03, 0x00, 0x02, 0x00, 0x35}}), "AliasMode");
    refused(cat({k_owner, {0x00, 0x01}}), "truncated header");
}

}  // namespace
}  // namespace sniprobe
