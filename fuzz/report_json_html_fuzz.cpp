// libFuzzer target: `sniprobe report FILE.json --html` on a file anyone may have
// edited. read_json() must accept or refuse any bytes without crashing, and whatever it
// accepts must render to a page in which no string became markup: the fixed template
// has no <script>, <iframe>, <img>, <object> or <embed>, so any such tag in the output
// came from the input unescaped.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "report/html_report.hpp"
#include "report/json_report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    auto d = sniprobe::read_json(in);
    if (!d) return 0;
    std::ostringstream out;
    sniprobe::write_html(out, *d);
    std::string html = out.str();
    std::transform(html.begin(), html.end(), html.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* tag : {"<script", "<iframe", "<img", "<object", "<embed"})
        if (html.find(tag) != std::string::npos) __builtin_trap();
    return 0;
}
