// AES-128-GCM and AES-128-ECB through OpenSSL's EVP interface, and the long-header
// protection steps of RFC 9001 §5.3-5.4.
#include "quic/protection.hpp"

#include <openssl/evp.h>

#include <memory>

namespace sniprobe::quic {
namespace {

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

std::array<uint8_t, 12> nonce_for(const PacketKeys& keys, uint64_t pn) {
    std::array<uint8_t, 12> nonce = keys.iv;
    for (size_t i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<uint8_t>(pn >> (8 * i));
    return nonce;
}

int as_int(size_t n) {
    return static_cast<int>(n);
}

}  // namespace

Result<std::array<uint8_t, 5>> header_protection_mask(const PacketKeys& keys,
                                                      std::span<const uint8_t> sample) {
    if (sample.size() < k_hp_sample_bytes) return fail("header-protection sample too short");
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    std::array<uint8_t, 32> out{};
    int len = 0;
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, keys.hp.data(), nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data(), &len, sample.data(), 16) != 1 || len != 16)
        return fail("AES-128-ECB failed (OpenSSL)");
    return std::array<uint8_t, 5>{out[0], out[1], out[2], out[3], out[4]};
}

Result<std::vector<uint8_t>> gcm_seal(std::span<const uint8_t, 16> key,
                                      std::span<const uint8_t, 12> nonce,
                                      std::span<const uint8_t> aad,
                                      std::span<const uint8_t> plaintext) {
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    std::vector<uint8_t> out(plaintext.size() + k_aead_tag_bytes);
    int len = 0;
    int final_len = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), as_int(aad.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                          as_int(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &final_len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.data() + plaintext.size()) !=
            1)
        return fail("AES-128-GCM failed (OpenSSL)");
    return out;
}

bool gcm_open(std::span<const uint8_t, 16> key, std::span<const uint8_t, 12> nonce,
              std::span<const uint8_t> aad, std::span<const uint8_t> sealed,
              std::vector<uint8_t>& plaintext) {
    if (sealed.size() < k_aead_tag_bytes) return false;
    const size_t body = sealed.size() - k_aead_tag_bytes;
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    plaintext.assign(body, 0);
    std::array<uint8_t, 16> tag{};
    std::copy(sealed.begin() + static_cast<std::ptrdiff_t>(body), sealed.end(), tag.begin());
    int len = 0;
    int final_len = 0;
    return ctx &&
           EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1 &&
           EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) == 1 &&
           EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), as_int(aad.size())) == 1 &&
           EVP_DecryptUpdate(ctx.get(), plaintext.data(), &len, sealed.data(), as_int(body)) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) == 1 &&
           EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + len, &final_len) == 1;
}

Result<std::vector<uint8_t>> protect_long_packet(const PacketKeys& keys,
                                                 std::span<const uint8_t> header, size_t pn_length,
                                                 uint64_t pn, std::span<const uint8_t> plaintext) {
    if (pn_length < 1 || pn_length > 4 || header.size() < pn_length + 1)
        return fail("bad packet-number length");
    auto sealed = gcm_seal(keys.key, nonce_for(keys, pn), header, plaintext);
    if (!sealed) return tl::unexpected(sealed.error());
    std::vector<uint8_t> packet(header.begin(), header.end());
    packet.insert(packet.end(), sealed->begin(), sealed->end());
    const size_t pn_offset = header.size() - pn_length;
    if (pn_offset + 4 + k_hp_sample_bytes > packet.size())
        return fail("packet too short for a header-protection sample");
    auto mask = header_protection_mask(
        keys, std::span<const uint8_t>(packet).subspan(pn_offset + 4, k_hp_sample_bytes));
    if (!mask) return tl::unexpected(mask.error());
    packet[0] = static_cast<uint8_t>(packet[0] ^ ((*mask)[0] & 0x0f));
    for (size_t i = 0; i < pn_length; ++i)
        packet[pn_offset + i] = static_cast<uint8_t>(packet[pn_offset + i] ^ (*mask)[1 + i]);
    return packet;
}

tl::expected<OpenedPacket, OpenFailure> open_long_packet(const PacketKeys& keys,
                                                         std::span<const uint8_t> packet,
                                                         size_t pn_offset) {
    if (packet.empty() || pn_offset + 4 + k_hp_sample_bytes > packet.size())
        return tl::unexpected(OpenFailure::too_short);
    auto mask = header_protection_mask(keys, packet.subspan(pn_offset + 4, k_hp_sample_bytes));
    if (!mask) return tl::unexpected(OpenFailure::crypto_error);
    OpenedPacket opened;
    opened.first_byte = static_cast<uint8_t>(packet[0] ^ ((*mask)[0] & 0x0f));
    opened.pn_length = (opened.first_byte & 0x03) + 1;
    if (pn_offset + opened.pn_length + k_aead_tag_bytes > packet.size())
        return tl::unexpected(OpenFailure::too_short);
    std::vector<uint8_t> header(packet.begin(),
                                packet.begin() + static_cast<std::ptrdiff_t>(pn_offset));
    header[0] = opened.first_byte;
    for (size_t i = 0; i < opened.pn_length; ++i) {
        const auto b = static_cast<uint8_t>(packet[pn_offset + i] ^ (*mask)[1 + i]);
        header.push_back(b);
        opened.packet_number = (opened.packet_number << 8) | b;
    }
    const auto sealed = packet.subspan(pn_offset + opened.pn_length);
    if (!gcm_open(keys.key, nonce_for(keys, opened.packet_number), header, sealed,
                  opened.plaintext))
        return tl::unexpected(OpenFailure::aead_failed);
    return opened;
}

}  // namespace sniprobe::quic
