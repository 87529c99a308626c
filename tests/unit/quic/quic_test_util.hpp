// Helpers for the QUIC tests: hex text to bytes (whitespace ignored), the RFC 9001
// Appendix A constants, and a server Initial sealed with the server keys of a DCID.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "quic/initial_keys.hpp"
#include "quic/protection.hpp"
#include "quic/varint.hpp"

namespace sniprobe::quic::test {

inline std::vector<uint8_t> hex(std::string_view text) {
    std::vector<uint8_t> out;
    int high = -1;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<uint8_t>(high * 16 + v));
            high = -1;
        }
    }
    return out;
}

inline std::vector<uint8_t> hex_file(const std::string& name) {
    std::ifstream in(std::string(SNIPROBE_TEST_DATA) + "/quic/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return hex(text.str());
}

// RFC 9001 Appendix A.
inline const std::vector<uint8_t> k_rfc_dcid = hex("8394c8f03e515708");
// A.2: the CRYPTO frame of the client's Initial (ClientHello for example.com).
inline const std::vector<uint8_t> k_rfc_client_crypto_frame =
    hex("060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
        "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
        "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
        "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
        "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
        "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
        "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
        "75300901100f088394c8f03e51570806048000ffff");
inline const std::vector<uint8_t> k_rfc_client_header =
    hex("c300000001088394c8f03e5157080000449e00000002");
// A.3: the server's Initial (ACK + CRYPTO with its ServerHello).
inline const std::vector<uint8_t> k_rfc_server_header =
    hex("c1000000010008f067a5502a4262b50040750001");
inline const std::vector<uint8_t> k_rfc_server_payload =
    hex("02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739"
        "88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94"
        "0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00"
        "020304");
inline const std::vector<uint8_t> k_rfc_server_packet =
    hex("cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
        "5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
        "dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
        "022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
        "2158407dd074ee");
// A.4: a Retry for the same DCID.
inline const std::vector<uint8_t> k_rfc_retry =
    hex("ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba");

// A server Initial (empty DCID, SCID f067a5502a4262b5, 2-byte PN) carrying `plaintext`,
// sealed with the server Initial keys of `client_dcid`.
inline std::vector<uint8_t> server_initial(const std::vector<uint8_t>& client_dcid,
                                           std::vector<uint8_t> plaintext, uint64_t pn = 0) {
    auto keys = derive_initial_keys(client_dcid);
    EXPECT_TRUE(keys);
    // The sample needs 20 bytes after the PN: pad short payloads.
    while (plaintext.size() < 20) plaintext.push_back(0x00);
    std::vector<uint8_t> header = hex("c1000000010008f067a5502a4262b500");
    const size_t length = 2 + plaintext.size() + k_aead_tag_bytes;
    uint8_t len[2];
    put_varint(len, length, 2);
    header.insert(header.end(), len, len + 2);
    header.push_back(static_cast<uint8_t>(pn >> 8));
    header.push_back(static_cast<uint8_t>(pn));
    auto packet = protect_long_packet(keys->server, header, 2, pn, plaintext);
    EXPECT_TRUE(packet);
    return *packet;
}

}  // namespace sniprobe::quic::test
