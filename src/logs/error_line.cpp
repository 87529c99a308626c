// Parsing of one nginx error-log line: the fixed prefix, the trailing `, client: ...`
// fields, and the handshake classification of the message. Classification keys on the
// action nginx appends ("while SSL handshaking"), then on what the message names: an
// errno ("(104: Connection reset by peer)", "(110: ...)"), an OpenSSL error entry
// ("SSL: error:0A0000C1:SSL routines::no shared cipher", possibly followed by ":SSL alert
// number 48" and further entries), or nginx's own words ("peer closed connection in SSL
// handshake", "client closed connection"). Only fixed offsets and bounded scans: a line of
// arbitrary bytes costs time linear in its length.
#include "logs/error_line.hpp"

#include <array>
#include <charconv>

#include <fmt/core.h>

namespace sniprobe::logs {
namespace {

constexpr std::array<std::string_view, k_level_count> k_level_names{
    "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"};
constexpr std::array<std::string_view, k_anomaly_count> k_anomaly_names{
    "none", "continuation", "no_timestamp", "bad_level", "no_pid", "overlong"};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads exactly `width` digits at `pos`.
std::optional<unsigned> digits(std::string_view s, std::size_t pos, std::size_t width) {
    if (pos + width > s.size()) return std::nullopt;
    unsigned value = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (!is_digit(s[i])) return std::nullopt;
        value = value * 10 + static_cast<unsigned>(s[i] - '0');
    }
    return value;
}

// Reads an unsigned decimal number at `pos` and advances it; nullopt when none.
template <class T>
std::optional<T> number(std::string_view s, std::size_t& pos) {
    T value{};
    auto [end, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), value);
    if (ec != std::errc{} || end == s.data() + pos) return std::nullopt;
    pos = static_cast<std::size_t>(end - s.data());
    return value;
}

// "YYYY?MM?DD?HH:MM[:SS]" with the given date separator and date/time separators.
std::optional<int64_t> date_time(std::string_view s, char date_sep, bool seconds_required) {
    auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
    if (!y || !mo || !d || s.size() < 10 || s[4] != date_sep || s[7] != date_sep)
        return std::nullopt;
    if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31) return std::nullopt;
    unsigned h = 0, mi = 0, sec = 0;
    if (s.size() > 10) {
        if (s[10] != ' ' && s[10] != 'T') return std::nullopt;
        auto hh = digits(s, 11, 2), mm = digits(s, 14, 2);
        if (!hh || !mm || s.size() < 16 || s[13] != ':' || *hh > 23 || *mm > 59)
            return std::nullopt;
        h = *hh;
        mi = *mm;
        if (s.size() > 16 || seconds_required) {
            auto ss = digits(s, 17, 2);
            if (!ss || s.size() != 19 || s[16] != ':' || *ss > 60) return std::nullopt;
            sec = *ss;
        }
    } else if (seconds_required) {
        return std::nullopt;
    }
    return civil_seconds(static_cast<int>(*y), *mo, *d, h, mi, sec);
}

constexpr std::string_view k_client_key = ", client: ";

// Finds the end of a quoted value starting at `pos` (just after the opening quote): the
// first quote followed by the end of the line or by another known field. Values hold raw
// client bytes, quotes included, so a quote alone does not end them.
std::optional<std::size_t> quoted_end(std::string_view s, std::size_t pos) {
    static constexpr std::string_view k_next[] = {"\", request: \"", "\", subrequest: \"",
                                                  "\", upstream: \"", "\", host: \"",
                                                  "\", referrer: \""};
    for (std::size_t q = s.find('"', pos); q != std::string_view::npos; q = s.find('"', q + 1)) {
        if (q + 1 == s.size()) return q;
        for (auto next : k_next) {
            if (s.compare(q, next.size(), next) == 0) return q;
        }
    }
    return std::nullopt;
}

// Parses the trailing fields from `pos` (at ", client: ") to the end of the line; fills
// `out` and returns true only when the whole tail matches nginx's grammar.
bool parse_tail(std::string_view s, std::size_t pos, ErrorLine& out, bool require_full) {
    pos += k_client_key.size();
    std::size_t end = s.find(", ", pos);
    std::string_view client =
        s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (client.empty() || client.find(' ') != std::string_view::npos) return false;
    ErrorLine fields;
    fields.client = client;
    pos = end;
    constexpr std::string_view k_server = ", server: ";
    if (pos != std::string_view::npos && s.compare(pos, k_server.size(), k_server) == 0) {
        pos += k_server.size();
        end = s.find(", ", pos);
        fields.server =
            s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        if (fields.server.find(' ') != std::string_view::npos) return false;
        pos = end;
    }
    while (pos != std::string_view::npos) {
        struct Key {
            std::string_view text;
            std::string_view* field;
        };
        std::string_view ignored;
        const Key keys[] = {{", request: \"", &fields.request},
                            {", subrequest: \"", &ignored},
                            {", upstream: \"", &fields.upstream},
                            {", host: \"", &fields.host},
                            {", referrer: \"", &ignored}};
        const Key* key = nullptr;
        for (const auto& k : keys) {
            if (s.compare(pos, k.text.size(), k.text) == 0) key = &k;
        }
        if (key == nullptr) {
            if (require_full) return false;
            break;  // the stream module's unquoted extras ("bytes from/to client:...")
        }
        std::size_t start = pos + key->text.size();
        auto close = quoted_end(s, start);
        if (!close) return false;
        *key->field = s.substr(start, *close - start);
        pos = *close + 1 == s.size() ? std::string_view::npos : *close + 1;
    }
    out.client = fields.client;
    out.server = fields.server;
    out.request = fields.request;
    out.host = fields.host;
    out.upstream = fields.upstream;
    return true;
}

// Splits `out.message` from its trailing fields: the leftmost ", client: " whose tail
// parses completely, else the leftmost whose client and server parse.
void split_tail(std::string_view line, std::size_t message_start, ErrorLine& out) {
    out.message = line.substr(message_start);
    for (bool full : {true, false}) {
        for (std::size_t at = line.find(k_client_key, message_start); at != std::string_view::npos;
             at = line.find(k_client_key, at + 1)) {
            if (parse_tail(line, at, out, full)) {
                out.message = line.substr(message_start, at - message_start);
                return;
            }
        }
    }
}

// The "(NNN: text)" errno nginx writes after a failed system call, if any.
void read_errno(std::string_view msg, ErrorLine& out) {
    for (std::size_t open = msg.find('('); open != std::string_view::npos;
         open = msg.find('(', open + 1)) {
        std::size_t pos = open + 1;
        auto value = number<int>(msg, pos);
        if (!value || msg.compare(pos, 2, ": ") != 0) continue;
        std::size_t close = msg.find(')', pos);
        if (close == std::string_view::npos) return;
        out.errno_value = *value;
        if (out.reason.empty()) out.reason = msg.substr(pos + 2, close - pos - 2);
        return;
    }
}

// The first OpenSSL error entry after "(SSL: ": its reason and any "SSL alert number N".
void read_ssl_error(std::string_view msg, ErrorLine& out) {
    std::size_t at = msg.find("(SSL: error:");
    if (at == std::string_view::npos) return;
    std::size_t pos = at + 6;  // at "error:"
    std::size_t entry_end = msg.find(" error:", pos);
    std::size_t paren = msg.find(')', pos);
    if (paren < entry_end) entry_end = paren;
    std::string_view entry = msg.substr(
        pos, entry_end == std::string_view::npos ? std::string_view::npos : entry_end - pos);
    // error:CODE:LIB:FUNC:REASON[:DATA]
    std::size_t colon = std::string_view::npos;
    for (std::size_t field = 0, from = 0; field < 4; ++field, from = colon + 1) {
        colon = entry.find(':', from);
        if (colon == std::string_view::npos) return;
    }
    std::string_view rest = entry.substr(colon + 1);
    std::size_t data = rest.find(':');
    out.reason = rest.substr(0, data);
    constexpr std::string_view k_alert = "SSL alert number ";
    if (data != std::string_view::npos && rest.compare(data + 1, k_alert.size(), k_alert) == 0) {
        std::size_t p = data + 1 + k_alert.size();
        if (auto n = number<int>(rest, p); n && *n >= 0 && *n <= 255) out.alert_number = *n;
    }
}

void classify(ErrorLine& out) {
    std::string_view msg = out.message;
    constexpr std::string_view k_action = " while SSL handshaking";
    std::size_t action = msg.rfind(k_action);
    if (action == std::string_view::npos) {
        if (msg.starts_with("client sent plain HTTP request to HTTPS port")) {
            out.failure_class = FailureClass::handshake_protocol_error;
            out.reason = "plain HTTP request";
        }
        return;
    }
    std::string_view head = msg.substr(0, action);
    if (msg.substr(action + k_action.size()).starts_with(" to upstream")) {
        out.failure_class = FailureClass::upstream_handshake;
        read_ssl_error(head, out);
        read_errno(head, out);
        return;
    }
    read_ssl_error(head, out);
    read_errno(head, out);
    if (out.alert_number >= 0) {
        out.failure_class = FailureClass::handshake_alert;
    } else if (out.errno_value == 104) {
        out.failure_class = FailureClass::handshake_reset;
    } else if (out.errno_value == 110 || head.starts_with("client timed out")) {
        out.failure_class = FailureClass::handshake_timeout;
        if (out.reason.empty()) out.reason = "timed out";
    } else if (head.starts_with("SSL_do_handshake() failed") && !out.reason.empty()) {
        out.failure_class =
            class_of_ssl_reason(out.reason).value_or(FailureClass::handshake_ssl_error);
    } else if (head.starts_with("peer closed connection in SSL handshake")) {
        out.failure_class = FailureClass::handshake_eof;
        if (out.reason.empty()) out.reason = "peer closed connection";
    } else if (head.starts_with("client closed connection")) {
        out.failure_class = FailureClass::handshake_closed_early;
        out.reason = "client closed connection";
    } else if (head.starts_with("handshake rejected")) {
        out.failure_class = FailureClass::handshake_rejected;
        if (out.reason.empty()) out.reason = "handshake rejected";
    } else {
        out.failure_class = FailureClass::handshake_ssl_error;
        if (out.reason.empty()) out.reason = head.substr(0, head.find(" ("));
    }
}

}  // namespace

std::string_view level_name(Level level) {
    return k_level_names[static_cast<std::size_t>(level)];
}

std::string_view anomaly_name(LineAnomaly anomaly) {
    return k_anomaly_names[static_cast<std::size_t>(anomaly)];
}

ErrorLine parse_error_line(std::string_view line) {
    ErrorLine out;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
        out.anomaly = LineAnomaly::continuation;
        return out;
    }
    auto time = line.size() >= 19 ? date_time(line.substr(0, 19), '/', true) : std::nullopt;
    if (!time || line.size() < 20 || line[19] != ' ') {
        out.anomaly = LineAnomaly::no_timestamp;
        return out;
    }
    out.time_s = *time;
    std::size_t pos = 20;
    std::size_t close = line.find("] ", pos);
    if (line.compare(pos, 1, "[") != 0 || close == std::string_view::npos || close - pos > 8) {
        out.anomaly = LineAnomaly::bad_level;
        return out;
    }
    std::string_view level = line.substr(pos + 1, close - pos - 1);
    std::size_t level_index = 0;
    while (level_index < k_level_count && k_level_names[level_index] != level) ++level_index;
    if (level_index == k_level_count) {
        out.anomaly = LineAnomaly::bad_level;
        return out;
    }
    out.level = static_cast<Level>(level_index);
    pos = close + 2;
    auto pid = number<uint32_t>(line, pos);
    if (!pid || line.compare(pos, 1, "#") != 0) {
        out.anomaly = LineAnomaly::no_pid;
        return out;
    }
    ++pos;
    auto tid = number<uint32_t>(line, pos);
    if (!tid || line.compare(pos, 1, ":") != 0) {
        out.anomaly = LineAnomaly::no_pid;
        return out;
    }
    out.pid = *pid;
    out.tid = *tid;
    ++pos;
    if (line.compare(pos, 1, " ") == 0) ++pos;
    if (line.compare(pos, 1, "*") == 0) {
        std::size_t p = pos + 1;
        if (auto connection = number<uint64_t>(line, p);
            connection && line.compare(p, 1, " ") == 0) {
            out.connection = connection;
            pos = p + 1;
        }
    }
    split_tail(line, pos, out);
    classify(out);
    return out;
}

int64_t civil_seconds(int year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                      unsigned second) {
    // Howard Hinnant's days_from_civil.
    const int y = year - (month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const int64_t days = int64_t{era} * 146097 + int64_t{doe} - 719468;
    return days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
}

std::optional<int64_t> parse_time(std::string_view text) {
    if (text.size() >= 5 && text[4] == '-') return date_time(text, '-', false);
    return date_time(text, '/', false);
}

std::string format_time(int64_t time_s) {
    // Howard Hinnant's civil_from_days.
    int64_t days = time_s >= 0 ? time_s / 86400 : (time_s - 86399) / 86400;
    int64_t secs = time_s - days * 86400;
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    return fmt::format("{:04}/{:02}/{:02} {:02}:{:02}:{:02}", year, month, day, secs / 3600,
                       secs / 60 % 60, secs % 60);
}

}  // namespace sniprobe::logs
