// Minimal pcapng encoder (draft-ietf-opsawg-pcapng): SHB, IDB, EPB in host byte order
// (the SHB's byte-order magic tells readers which), microsecond timestamps (the IDB
// default, so no if_tsresol option), every block padded to 32 bits and closed by its
// total length repeated. Written because libpcap has no pcapng writer (see header).
#include "capture/pcapng_writer.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <string_view>

namespace sniprobe::capture {

namespace {

constexpr uint32_t k_block_shb = 0x0A0D0D0A;
constexpr uint32_t k_block_idb = 0x00000001;
constexpr uint32_t k_block_epb = 0x00000006;
constexpr uint32_t k_byte_order_magic = 0x1A2B3C4D;
constexpr uint16_t k_option_end = 0;
constexpr uint16_t k_option_shb_userappl = 4;
constexpr uint32_t k_idb_snaplen = 0;  // 0 = no limit

class BlockWriter {
  public:
    explicit BlockWriter(std::vector<uint8_t>& out) : m_out(out) {}

    void u16(uint16_t v) { raw(&v, sizeof v); }
    void u32(uint32_t v) { raw(&v, sizeof v); }
    void u64(uint64_t v) { raw(&v, sizeof v); }
    void bytes(const uint8_t* data, size_t n) {
        raw(data, n);
        pad();
    }
    void option(uint16_t code, std::string_view value) {
        u16(code);
        u16(static_cast<uint16_t>(value.size()));
        bytes(reinterpret_cast<const uint8_t*>(value.data()), value.size());
    }
    // Starts a block: type and a length placeholder.
    void begin(uint32_t type) {
        m_start = m_out.size();
        u32(type);
        u32(0);
    }
    // Ends the block: trailing length, then patches the leading one.
    void end() {
        auto total = static_cast<uint32_t>(m_out.size() - m_start + 4);
        u32(total);
        std::memcpy(m_out.data() + m_start + 4, &total, sizeof total);
    }

  private:
    void raw(const void* data, size_t n) {
        const auto* p = static_cast<const uint8_t*>(data);
        m_out.insert(m_out.end(), p, p + n);
    }
    void pad() {
        while (m_out.size() % 4 != 0) m_out.push_back(0);
    }
    std::vector<uint8_t>& m_out;
    size_t m_start = 0;
};

}  // namespace

std::vector<uint8_t> encode_pcapng(const std::vector<CapturedPacket>& packets) {
    std::vector<uint8_t> out;
    BlockWriter w(out);

    w.begin(k_block_shb);
    w.u32(k_byte_order_magic);
    w.u16(1);             // major
    w.u16(0);             // minor
    w.u64(~uint64_t{0});  // section length unknown
    w.option(k_option_shb_userappl, "sniprobe");
    w.u16(k_option_end);
    w.u16(0);
    w.end();

    std::map<int, uint32_t> interface_of_link_type;
    for (const auto& p : packets) {
        if (interface_of_link_type.contains(p.link_type)) continue;
        auto id = static_cast<uint32_t>(interface_of_link_type.size());
        interface_of_link_type[p.link_type] = id;
        w.begin(k_block_idb);
        w.u16(static_cast<uint16_t>(p.link_type));
        w.u16(0);  // reserved
        w.u32(k_idb_snaplen);
        w.end();
    }

    for (const auto& p : packets) {
        auto ts_us = static_cast<uint64_t>(std::llround(p.ts_unix * 1e6));
        w.begin(k_block_epb);
        w.u32(interface_of_link_type[p.link_type]);
        w.u32(static_cast<uint32_t>(ts_us >> 32));
        w.u32(static_cast<uint32_t>(ts_us & 0xFFFFFFFFu));
        w.u32(static_cast<uint32_t>(p.frame.size()));
        w.u32(std::max<uint32_t>(p.wire_len, static_cast<uint32_t>(p.frame.size())));
        w.bytes(p.frame.data(), p.frame.size());
        w.end();
    }
    return out;
}

Result<void> write_pcapng(const std::string& path, const std::vector<CapturedPacket>& packets) {
    auto bytes = encode_pcapng(packets);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) return fail(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    file.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) return fail(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    return {};
}

}  // namespace sniprobe::capture
