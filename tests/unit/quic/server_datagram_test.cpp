// The server-datagram reader: the RFC 9001 A.3 server Initial opens into an ACK and a
// CRYPTO frame whose ServerHello the forge's reply parser reads; a CONNECTION_CLOSE with
// a TLS alert; a Version Negotiation packet; the RFC's Retry with a good and a tampered
// tag; a ServerHello spread over two datagrams; coalesced Initial + Handshake; and
// garbage of every kind named as an anomaly.
#include <gtest/gtest.h>

#include "quic/server_datagram.hpp"
#include "quic_test_util.hpp"

namespace sniprobe::quic {
namespace {

using test::hex;

InitialKeys rfc_keys() {
    auto keys = derive_initial_keys(test::k_rfc_dcid);
    EXPECT_TRUE(keys);
    return *keys;
}

ServerDatagram read(const std::vector<uint8_t>& d) {
    return read_server_datagram(d, rfc_keys(), test::k_rfc_dcid);
}

TEST(ServerDatagram, ReadsTheRfcServerInitialsServerHello) {
    auto d = read(test::k_rfc_server_packet);
    EXPECT_EQ(d.anomaly, QuicAnomaly::none) << quic_anomaly_name(d.anomaly);
    ASSERT_EQ(d.packets.size(), 1u);
    EXPECT_EQ(d.packets[0].kind, PacketKind::initial);
    EXPECT_TRUE(d.packets[0].opened);
    EXPECT_EQ(d.packets[0].packet_number, 1u);
    EXPECT_EQ(d.packets[0].scid, hex("f067a5502a4262b5"));
    EXPECT_TRUE(d.ack);
    ASSERT_EQ(d.crypto.size(), 1u);
    EXPECT_EQ(d.crypto[0].offset, 0u);
    EXPECT_EQ(d.crypto[0].bytes.size(), 90u);

    ServerFlight flight;
    flight.add(d);
    auto reply = flight.reply();
    EXPECT_EQ(reply.kind, forge::ReplyKind::server_hello);
    EXPECT_EQ(reply.cipher_suite, 0x1301);
    EXPECT_EQ(reply.version(), 0x0304);
    EXPECT_EQ(reply.key_share_group, 0x001d);
}

TEST(ServerDatagram, AServerHelloInTwoDatagramsIsIncompleteUntilBothArrive) {
    // CRYPTO frames of the RFC ServerHello: bytes 50.. first, then 0..50.
    std::vector<uint8_t> hello(test::k_rfc_server_payload.begin() + 9,
                               test::k_rfc_server_payload.end());
    ASSERT_EQ(hello.size(), 90u);
    std::vector<uint8_t> tail{0x06, 0x32, 0x28};
    tail.insert(tail.end(), hello.begin() + 50, hello.end());
    std::vector<uint8_t> head{0x06, 0x00, 0x32};
    head.insert(head.end(), hello.begin(), hello.begin() + 50);
    ServerFlight flight;
    flight.add(read(test::server_initial(test::k_rfc_dcid, tail, 0)));
    EXPECT_EQ(flight.reply().kind, forge::ReplyKind::incomplete);
    EXPECT_EQ(flight.contiguous_bytes(), 0u);
    flight.add(read(test::server_initial(test::k_rfc_dcid, head, 1)));
    EXPECT_EQ(flight.contiguous_bytes(), 90u);
    EXPECT_EQ(flight.reply().kind, forge::ReplyKind::server_hello);
}

TEST(ServerDatagram, ReadsAConnectionCloseCarryingATlsAlert) {
    // CONNECTION_CLOSE 0x1c, error 0x178 (no_application_protocol), frame type 6, reason.
    auto plain = hex("1c4178060568656c6c6f");
    auto d = read(test::server_initial(test::k_rfc_dcid, plain));
    EXPECT_EQ(d.anomaly, QuicAnomaly::none) << quic_anomaly_name(d.anomaly);
    ASSERT_TRUE(d.close);
    EXPECT_EQ(d.close->error_code, 0x178u);
    EXPECT_EQ(d.close->frame_type, 6u);
    EXPECT_EQ(d.close->reason, "hello");
    EXPECT_EQ(d.close->tls_alert(), 120);
    ConnectionClose transport{0x0a, false, 0, ""};
    EXPECT_FALSE(transport.tls_alert());
}

TEST(ServerDatagram, ReadsVersionNegotiation) {
    // Empty DCID, 8-byte SCID, versions 1 and 2.
    auto d = read(hex("8f000000000008a1a2a3a4a5a6a7a8000000016b3343cf"));
    EXPECT_EQ(d.anomaly, QuicAnomaly::none);
    ASSERT_EQ(d.packets.size(), 1u);
    EXPECT_EQ(d.packets[0].kind, PacketKind::version_negotiation);
    EXPECT_EQ(d.offered_versions, (std::vector<uint32_t>{k_version_1, k_version_2}));
    EXPECT_EQ(read(hex("8f000000000008a1a2a3a4a5a6a7a8000000")).anomaly,
              QuicAnomaly::bad_version_list);
    EXPECT_EQ(read(hex("8f000000000008a1a2a3a4a5a6a7a8")).anomaly, QuicAnomaly::bad_version_list);
}

TEST(ServerDatagram, ChecksTheRetryIntegrityTag) {
    auto d = read(test::k_rfc_retry);
    EXPECT_EQ(d.anomaly, QuicAnomaly::none);
    EXPECT_TRUE(d.has(PacketKind::retry));
    for (size_t i = 0; i < test::k_rfc_retry.size(); i += 7) {
        auto bad = test::k_rfc_retry;
        bad[i] ^= 0x01;
        auto b = read(bad);
        EXPECT_NE(b.anomaly, QuicAnomaly::none) << "byte " << i;
    }
}

TEST(ServerDatagram, CountsCoalescedHandshakeAndShortHeaderPackets) {
    auto d = test::k_rfc_server_packet;
    // A Handshake packet (type 2): empty DCID, SCID 8, Length 20, 20 opaque bytes.
    auto hs = hex("e0000000010008f067a5502a4262b514");
    hs.insert(hs.end(), 20, 0x5a);
    d.insert(d.end(), hs.begin(), hs.end());
    d.push_back(0x40);  // a short-header packet to the end
    d.insert(d.end(), 30, 0x11);
    auto r = read(d);
    EXPECT_EQ(r.anomaly, QuicAnomaly::none) << quic_anomaly_name(r.anomaly);
    ASSERT_EQ(r.packets.size(), 3u);
    EXPECT_EQ(r.packets[1].kind, PacketKind::handshake);
    EXPECT_EQ(r.packets[2].kind, PacketKind::short_header);
    EXPECT_EQ(r.crypto.size(), 1u);
}

TEST(ServerDatagram, NamesGarbage) {
    EXPECT_EQ(read({}).anomaly, QuicAnomaly::empty_datagram);
    EXPECT_EQ(read(hex("c0000000")).anomaly, QuicAnomaly::truncated_header);
    EXPECT_EQ(read(hex("c00000000120")).anomaly, QuicAnomaly::truncated_header);
    EXPECT_EQ(read(hex("c01a2a3a4a0000")).anomaly, QuicAnomaly::unknown_version);
    EXPECT_EQ(read(hex("8000000001000000")).anomaly, QuicAnomaly::fixed_bit_clear);
    auto long_cid = hex("c00000000115");
    long_cid.insert(long_cid.end(), 21, 0x01);
    long_cid.push_back(0);
    EXPECT_EQ(read(long_cid).anomaly, QuicAnomaly::cid_too_long);
    auto past = test::k_rfc_server_packet;
    past.resize(past.size() - 10);
    EXPECT_EQ(read(past).anomaly, QuicAnomaly::length_past_datagram);
    auto tampered = test::k_rfc_server_packet;
    tampered[40] ^= 0xff;
    EXPECT_EQ(read(tampered).anomaly, QuicAnomaly::undecryptable);
    // Frames an Initial may not carry, and frames cut short.
    EXPECT_EQ(read(test::server_initial(test::k_rfc_dcid, hex("08"))).anomaly,
              QuicAnomaly::unknown_frame);
    auto cut_crypto = hex("060040ff0102");
    EXPECT_EQ(read(test::server_initial(test::k_rfc_dcid, cut_crypto)).anomaly,
              QuicAnomaly::truncated_frame);
    auto far_crypto = hex("06bfffffff00");  // offset 2^30 - 1
    EXPECT_EQ(read(test::server_initial(test::k_rfc_dcid, far_crypto)).anomaly,
              QuicAnomaly::crypto_out_of_range);
    auto huge_ack = hex("0201008fffffffffffffff00");
    EXPECT_EQ(read(test::server_initial(test::k_rfc_dcid, huge_ack)).anomaly,
              QuicAnomaly::truncated_frame);
}

TEST(ServerFlight, NamesAFirstMessageThatIsNoServerHello) {
    ServerFlight flight;
    // CRYPTO carrying an EncryptedExtensions header (type 8) at offset 0.
    flight.add(read(test::server_initial(test::k_rfc_dcid, hex("06000408000000"))));
    auto reply = flight.reply();
    EXPECT_EQ(reply.kind, forge::ReplyKind::anomaly);
    EXPECT_EQ(reply.anomaly, forge::ReplyAnomaly::not_server_hello);
}

}  // namespace
}  // namespace sniprobe::quic
