// One nginx/OpenResty error-log line, parsed without copying: every text field is a view
// into the caller's line. The format is `2026/11/27 14:53:02 [info] 1234#1234: *5 MESSAGE,
// client: ADDR, server: NAME, request: "...", host: "..."`. The quirks: the timestamp is
// local time with no zone; the trailing fields are appended by nginx *after* a message and
// a request line that may hold anything a client sent (raw bytes, quotes, even a forged
// ", client: 6.6.6.6"), so the real fields are found by a full parse of the tail, leftmost
// first; multi-line messages (Lua tracebacks) continue on lines without a timestamp.
// A line that does not parse is a named anomaly, never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logs/failure_class.hpp"

namespace sniprobe::logs {

// nginx's log levels, most severe first (the order of ngx_log.c).
enum class Level : uint8_t { emerg, alert, crit, error, warn, notice, info, debug };

// Number of Level values.
inline constexpr std::size_t k_level_count = 8;

// Why a line could not be read as an error-log entry.
enum class LineAnomaly : uint8_t {
    none,          // a well-formed entry
    continuation,  // starts with white space: the next line of a multi-line message
    no_timestamp,  // does not start with YYYY/MM/DD HH:MM:SS
    bad_level,     // no [level] after the timestamp, or an unknown one
    no_pid,        // no PID#TID: after the level
    overlong,      // longer than the reader's line limit (cut; set by the reader)
};

// Number of LineAnomaly values (including none).
inline constexpr std::size_t k_anomaly_count = 6;

// The stable name of a level ("info") and of an anomaly ("no_timestamp").
std::string_view level_name(Level level);
std::string_view anomaly_name(LineAnomaly anomaly);

// A parsed line; text fields are views into the line given to parse_error_line.
struct ErrorLine {
    LineAnomaly anomaly = LineAnomaly::none;
    int64_t time_s = 0;  // wall-clock seconds since 1970-01-01 as written (zone unknown)
    Level level = Level::info;
    uint32_t pid = 0;
    uint32_t tid = 0;
    std::optional<uint64_t> connection;  // the `*N` connection number, when present
    std::string_view message;            // the text between the prefix and the trailing fields
    std::string_view client;             // `client:` (an address), empty when absent
    std::string_view server;             // `server:` (a name or listen address)
    std::string_view request;            // `request:` without quotes
    std::string_view host;               // `host:` without quotes
    std::string_view upstream;           // `upstream:` without quotes
    FailureClass failure_class = FailureClass::other;
    std::string_view reason;  // OpenSSL's reason or the errno text ("no shared cipher")
    int alert_number = -1;    // "SSL alert number N", -1 when none
    int errno_value = 0;      // the "(104: ...)" errno, 0 when none
};

// Parses one line (without its newline). Never throws; `anomaly` says when it failed.
ErrorLine parse_error_line(std::string_view line);

// Seconds since 1970 of a civil date and time, no zone (for --since/--until and tests).
int64_t civil_seconds(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                      unsigned second);

// Parses "YYYY/MM/DD HH:MM[:SS]" or "YYYY-MM-DD[T ]HH:MM[:SS]" (or a date alone) as civil seconds.
std::optional<int64_t> parse_time(std::string_view text);

// Formats civil seconds the way nginx writes them: "2026/11/27 14:53:02".
std::string format_time(int64_t time_s);

}  // namespace sniprobe::logs
