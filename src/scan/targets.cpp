// Input lines to targets (see targets.hpp). Host names go through resolve's
// parse_target, so a scanned name is checked and converted to punycode exactly as
// diagnose would; an address in the host field is refused (the SNI is the point of a
// scan) with a hint to put it in the ip field.
#include "scan/targets.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "resolve/target.hpp"

namespace sniprobe::scan {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool is_skipped(std::string_view line) {
    return line.empty() || line.front() == '#';
}

Result<uint16_t> parse_port_field(std::string_view text) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail("invalid port '" + std::string(text) + "': expected a number from 1 to 65535");
    int value = std::stoi(std::string(text));
    if (value < 1 || value > 65535)
        return fail("port " + std::string(text) + " out of range: expected 1 to 65535");
    return static_cast<uint16_t>(value);
}

}  // namespace

Result<std::optional<ScanTarget>> parse_target_line(std::string_view raw, InputFormat format,
                                                    const TargetDefaults& defaults) {
    std::string_view line = trim(raw);
    if (is_skipped(line)) return std::optional<ScanTarget>{};

    std::string_view fields[3];
    size_t field_count = 0;
    if (format == InputFormat::targets) {
        size_t start = 0;
        while (true) {
            size_t comma = line.find(',', start);
            if (field_count == 3) return fail("too many fields: expected host[,ip[,port]]");
            fields[field_count++] =
                trim(line.substr(start, comma == std::string_view::npos ? comma : comma - start));
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
    } else {
        fields[field_count++] = line;
        if (line.find_first_of(" \t,") != std::string_view::npos)
            return fail("expected one host name per line, got '" + std::string(line) + "'");
    }

    ScanTarget target;
    target.port = defaults.port;
    if (is_plain_host_name(fields[0])) {
        target.host = fields[0];  // what parse_target would return, without its copies
    } else {
        auto parsed = parse_target(fields[0], defaults.port);
        if (!parsed) return tl::unexpected(parsed.error());
        if (parsed->sni.empty())
            return fail("'" + std::string(fields[0]) + "' is an address, not a name" +
                        (format == InputFormat::targets
                             ? " (put addresses in the second field: host,ip,port)"
                             : " (use --targets FILE with host,ip lines)"));
        target.host = std::move(parsed->sni);
        target.port = parsed->port;
    }

    if (field_count >= 2 && !fields[1].empty()) {
        auto ip = parse_ip_literal(fields[1]);
        if (!ip) return fail("ip field: " + ip.error().message);
        target.ip = *ip;
        target.ip_given = true;
    } else if (!defaults.ip.empty()) {
        target.ip = defaults.ip;
        target.ip_given = true;
    }
    if (field_count == 3) {
        auto port = parse_port_field(fields[2]);
        if (!port) return tl::unexpected(port.error());
        target.port = *port;
    }
    return std::optional<ScanTarget>{std::move(target)};
}

Result<TargetReader> TargetReader::open(const std::string& path, InputFormat format,
                                        TargetDefaults defaults) {
    TargetReader reader;
    reader.m_format = format;
    reader.m_defaults = std::move(defaults);
    if (path == "-") {
        reader.m_in = &std::cin;
        return reader;
    }
    reader.m_file = std::make_unique<std::ifstream>(path);
    if (!*reader.m_file) return fail("cannot read '" + path + "': no such file or not readable");
    reader.m_in = reader.m_file.get();
    return reader;
}

ReadItem TargetReader::next() {
    std::string& line = m_buffer;  // kept: its capacity serves every line
    while (std::getline(*m_in, line)) {
        ++m_line;
        auto parsed = parse_target_line(line, m_format, m_defaults);
        ReadItem item;
        if (!parsed) {
            item.kind = ReadItem::Kind::malformed;
            item.line = m_line;
            item.message = parsed.error().message;
            return item;
        }
        if (!*parsed) continue;
        item.kind = ReadItem::Kind::target;
        item.target = std::move(**parsed);
        item.target.line = m_line;
        return item;
    }
    return ReadItem{};
}

std::optional<long> count_input_lines(const std::string& path) {
    if (path == "-") return std::nullopt;
    std::ifstream in(path);
    if (!in) return std::nullopt;
    long count = 0;
    std::string line;
    while (std::getline(in, line)) {
        std::string_view t = trim(line);
        if (!is_skipped(t)) ++count;
    }
    return count;
}

}  // namespace sniprobe::scan
