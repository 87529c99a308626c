// Round trip through Wireshark's dissector: each shape's hello goes into a pcap (raw IPv4,
// one TCP segment to port 443 per hello, one tshark run) and tshark must read back the same server
// name, the handshake type and, for Chrome, the X25519MLKEM768 key share. Skipped when tshark is
// not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "forge/hello_forge.hpp"
#include "forge_test_util.hpp"
#include "util/subprocess.hpp"

namespace sniprobe::forge {
namespace {

void put_le32(std::ofstream& out, uint32_t v) {
    out.write(reinterpret_cast<const char*>(&v), 4);
}

// A classic pcap of raw-IPv4 packets, packet i carrying payloads[i] from
// 10.0.0.1:(40000+i) to 10.0.0.2:443 (checksums are not checked by tshark's defaults).
void write_pcap(const std::string& path, const std::vector<std::vector<uint8_t>>& payloads) {
    std::ofstream out(path, std::ios::binary);
    put_le32(out, 0xa1b2c3d4);
    uint16_t version[2] = {2, 4};
    out.write(reinterpret_cast<const char*>(version), 4);
    put_le32(out, 0);
    put_le32(out, 0);
    put_le32(out, 65535);
    put_le32(out, 101);  // LINKTYPE_RAW
    for (size_t i = 0; i < payloads.size(); ++i) {
        const auto& payload = payloads[i];
        std::vector<uint8_t> pkt(40);
        size_t total = 40 + payload.size();
        uint16_t sport = static_cast<uint16_t>(40000 + i);
        pkt[0] = 0x45;
        pkt[2] = static_cast<uint8_t>(total >> 8);
        pkt[3] = static_cast<uint8_t>(total);
        pkt[8] = 64;
        pkt[9] = 6;
        uint8_t addrs[8] = {10, 0, 0, 1, 10, 0, 0, 2};
        std::copy(addrs, addrs + 8, pkt.begin() + 12);
        pkt[20] = static_cast<uint8_t>(sport >> 8);
        pkt[21] = static_cast<uint8_t>(sport);
        pkt[22] = 443 >> 8;
        pkt[23] = 443 & 0xff;
        pkt[27] = 1;       // seq 1
        pkt[32] = 5 << 4;  // data offset
        pkt[33] = 0x18;    // PSH ACK
        pkt[34] = 0xff;
        pkt[35] = 0xff;
        pkt.insert(pkt.end(), payload.begin(), payload.end());
        put_le32(out, static_cast<uint32_t>(1 + i));
        put_le32(out, 0);
        put_le32(out, static_cast<uint32_t>(pkt.size()));
        put_le32(out, static_cast<uint32_t>(pkt.size()));
        out.write(reinterpret_cast<const char*>(pkt.data()),
                  static_cast<std::streamsize>(pkt.size()));
    }
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + 1)
        out.push_back(s.substr(start, at - start));
    out.push_back(s.substr(start));
    return out;
}

TEST(TsharkRoundTrip, EveryShapeDissectsWithItsServerName) {
    if (access("/usr/bin/tshark", X_OK) != 0) GTEST_SKIP() << "tshark is not installed";
    struct Case {
        Shape shape;
        std::string name;
    };
    std::vector<Case> cases;
    std::vector<std::vector<uint8_t>> payloads;
    for (Shape shape : all_shapes())
        for (const char* name : {"", "tshark.example.org"}) {
            ForgeOptions o;
            o.shape = shape;
            o.server_name = name;
            o.ech = EchGrease::on;
            auto t = test::make_template(o);
            auto hello = t.forge();
            cases.push_back({shape, name});
            payloads.emplace_back(hello.bytes.begin(), hello.bytes.end());
        }
    char path_template[] = "/tmp/sniprobe-forge-tshark.XXXXXX";
    int fd = mkstemp(path_template);
    ASSERT_GE(fd, 0);
    close(fd);
    std::string path = path_template;
    write_pcap(path, payloads);
    auto run = run_command({"tshark", "-r", path, "-T", "fields", "-E", "separator=|", "-e",
                            "tls.handshake.type", "-e", "tls.handshake.extensions_server_name",
                            "-e", "tls.handshake.extensions_key_share_group"});
    unlink(path.c_str());
    ASSERT_TRUE(run) << run.error().message;
    ASSERT_EQ(run->exit_code, 0) << run->output;
    // stderr is interleaved ("Running as user root"): keep the lines with fields.
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : split(run->output, '\n'))
        if (line.find('|') != std::string::npos) rows.push_back(split(line, '|'));
    ASSERT_EQ(rows.size(), cases.size()) << run->output;
    for (size_t i = 0; i < cases.size(); ++i) {
        SCOPED_TRACE(std::string(shape_name(cases[i].shape)) + " '" + cases[i].name + "'");
        ASSERT_EQ(rows[i].size(), 3u) << run->output;
        EXPECT_EQ(rows[i][0], "1");  // client_hello
        EXPECT_EQ(rows[i][1], cases[i].name);
        if (cases[i].shape == Shape::chrome)
            EXPECT_NE(rows[i][2].find("4588"), std::string::npos) << rows[i][2];  // 0x11ec
        else
            EXPECT_NE(rows[i][2].find("29"), std::string::npos) << rows[i][2];  // x25519
    }
}

}  // namespace
}  // namespace sniprobe::forge
