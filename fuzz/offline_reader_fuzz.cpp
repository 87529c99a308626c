// Fuzzes `sniprobe analyze` end to end on a capture file: the bytes are the file (libpcap
// and zlib read them), or, when the first byte is odd, the records of a classic pcap file
// whose header this target writes (the link type picked by the second byte) so the
// fuzzer reaches the flow tracker, the TLS judge and the verdict quickly. Must never crash.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "offline/analyze_captures.hpp"

using namespace sniprobe;

namespace {

void put32(std::vector<uint8_t>& out, uint32_t v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), p, p + 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const uint32_t k_links[] = {1, 101, 113, 276, 228, 229, 0};
    std::vector<uint8_t> file;
    if (size >= 2 && (data[0] & 1) != 0) {
        put32(file, 0xa1b2c3d4);
        put32(file, 0x00040002);
        put32(file, 0);
        put32(file, 0);
        put32(file, 65535);
        put32(file, k_links[data[1] % (sizeof k_links / sizeof k_links[0])]);
        file.insert(file.end(), data + 2, data + size);
    } else {
        file.assign(data, data + size);
    }
    const int fd = memfd_create("capture", 0);
    if (fd < 0) return 0;
    if (!file.empty() && write(fd, file.data(), file.size()) != static_cast<ssize_t>(file.size())) {
        close(fd);
        return 0;
    }
    offline::AnalyzeOptions options;
    options.limits.max_open_flows = 64;
    CaptureAnalysis c = offline::read_captures({"/proc/self/fd/" + std::to_string(fd)}, options);
    offline::judge_captures(c);
    close(fd);
    return 0;
}
