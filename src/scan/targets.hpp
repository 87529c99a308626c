// The scan's input: one target per line, streamed. `--names` files hold a host name per
// line; `--targets` files hold `host[,ip[,port]]`. Both skip blank lines and `#`
// comments, and both are read line by line so a file of millions of names costs the
// memory of one line. The quirk: a bad line must not end a long scan — it becomes an
// error that names its line number, and reading goes on with the next line.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace sniprobe::scan {

// How the lines of an input file are laid out.
enum class InputFormat {
    names,    // HOST (or HOST:PORT)
    targets,  // host[,ip[,port]]
};

// What applies when a line does not say: --ip and --port.
struct TargetDefaults {
    std::string ip;  // canonical IP literal, "" = resolve the name
    uint16_t port = 443;
};

// One target of a scan.
struct ScanTarget {
    std::string host;       // ASCII (punycode) host name, also the SNI sent
    std::string ip;         // address to probe ("" = resolve host)
    bool ip_given = false;  // ip came from the line or --ip (not from DNS)
    uint16_t port = 443;
    int line = 0;  // 1-based line number in the input
};

// Parses one line. nullopt for a blank or comment line; an error says what is wrong
// (without the line number: the reader adds it).
Result<std::optional<ScanTarget>> parse_target_line(std::string_view line, InputFormat format,
                                                    const TargetDefaults& defaults);

// What the reader produced next.
struct ReadItem {
    enum class Kind { target, malformed, end };
    Kind kind = Kind::end;
    ScanTarget target;    // kind target
    int line = 0;         // kind malformed: the line number
    std::string message;  // kind malformed: why
};

// Streams a file (or stdin for "-") one target at a time.
class TargetReader {
  public:
    // Opens `path`; fails with a clear message when it cannot be read.
    static Result<TargetReader> open(const std::string& path, InputFormat format,
                                     TargetDefaults defaults);
    TargetReader(TargetReader&&) noexcept = default;
    TargetReader& operator=(TargetReader&&) noexcept = default;
    ~TargetReader() = default;

    // The next target or malformed line, or end.
    ReadItem next();

  private:
    TargetReader() = default;
    std::unique_ptr<std::ifstream> m_file;  // null when reading stdin
    std::istream* m_in = nullptr;
    InputFormat m_format = InputFormat::names;
    TargetDefaults m_defaults;
    int m_line = 0;
    std::string m_buffer;  // the line being read
};

// Counts the target-bearing lines of a regular file (for the ETA), without keeping
// them; nullopt for stdin or a file that cannot be read.
std::optional<long> count_input_lines(const std::string& path);

}  // namespace sniprobe::scan
