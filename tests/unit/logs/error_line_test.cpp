// parse_error_line against the recorded lab log (tests/data/nginx/seed_error.log, see its
// README.txt) and hand-written lines for what the lab cannot produce: OpenSSL 1.1 error
// strings, upstream handshakes, forged fields inside a request, malformed prefixes.
#include "logs/error_line.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace sniprobe::logs {
namespace {

std::vector<std::string> fixture_lines(const std::string& name) {
    std::ifstream in(std::string(SNIPROBE_TEST_DATA) + "/nginx/" + name, std::ios::binary);
    EXPECT_TRUE(in) << name;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The parsed line of the fixture whose connection number is `connection`.
ErrorLine seed_line(std::vector<std::string>& keep, uint64_t connection) {
    keep = fixture_lines("seed_error.log");
    for (const auto& line : keep) {
        ErrorLine parsed = parse_error_line(line);
        if (parsed.connection == connection) return parsed;
    }
    ADD_FAILURE() << "no line *" << connection;
    return {};
}

TEST(ErrorLine, ParsesPrefixAndTrailingFieldsOfARecordedReset) {
    std::vector<std::string> keep;
    ErrorLine l = seed_line(keep, 6);
    EXPECT_EQ(l.anomaly, LineAnomaly::none);
    EXPECT_EQ(format_time(l.time_s), "2026/11/27 15:19:28");
    EXPECT_EQ(l.level, Level::info);
    EXPECT_EQ(l.pid, 32437u);
    EXPECT_EQ(l.tid, 32437u);
    EXPECT_EQ(l.message,
              "peer closed connection in SSL handshake (104: Connection reset by peer) while SSL "
              "handshaking");
    EXPECT_EQ(l.client, "10.77.1.2");
    EXPECT_EQ(l.server, "0.0.0.0:443");
    EXPECT_EQ(l.failure_class, FailureClass::handshake_reset);
    EXPECT_EQ(l.errno_value, 104);
    EXPECT_EQ(l.reason, "Connection reset by peer");
}

TEST(ErrorLine, ClassifiesEveryRecordedHandshakeLine) {
    // Connection number -> class, from the commands in tests/data/nginx/README.txt.
    const std::map<uint64_t, FailureClass> expected{
        {5, FailureClass::handshake_timeout},
        {6, FailureClass::handshake_reset},
        {15, FailureClass::handshake_reset},
        {13, FailureClass::other},
        {21, FailureClass::handshake_protocol_error},
        {22, FailureClass::handshake_protocol_error},
        {23, FailureClass::other},
        {24, FailureClass::handshake_mismatch},
        {26, FailureClass::handshake_rejected},
        {34, FailureClass::handshake_alert},
        {36, FailureClass::handshake_protocol_error},
        {37, FailureClass::handshake_closed_early},
        {38, FailureClass::handshake_eof},
        {39, FailureClass::handshake_reset},
        {40, FailureClass::handshake_mismatch},
        {41, FailureClass::handshake_reset},
    };
    std::map<uint64_t, FailureClass> seen;
    for (const auto& line : fixture_lines("seed_error.log")) {
        ErrorLine l = parse_error_line(line);
        EXPECT_EQ(l.anomaly, LineAnomaly::none) << line;
        if (l.connection) seen[*l.connection] = l.failure_class;
    }
    for (const auto& [connection, cls] : expected) {
        ASSERT_TRUE(seen.count(connection)) << connection;
        EXPECT_EQ(class_id(seen[connection]), class_id(cls)) << "*" << connection;
    }
}

TEST(ErrorLine, ReadsAlertNumberAndReason) {
    std::vector<std::string> keep;
    ErrorLine l = seed_line(keep, 34);
    EXPECT_EQ(l.alert_number, 48);
    EXPECT_EQ(l.reason, "tlsv1 alert unknown ca");
    ErrorLine cipher = seed_line(keep, 40);
    EXPECT_EQ(cipher.reason, "no shared cipher");
    EXPECT_EQ(cipher.alert_number, -1);
    ErrorLine version = seed_line(keep, 36);
    EXPECT_EQ(version.reason, "wrong version number");
}

TEST(ErrorLine, RawBytesInRequestStayInsideTheRequestField) {
    std::vector<std::string> keep;
    ErrorLine l = seed_line(keep, 25);
    EXPECT_EQ(l.server, "default.test");
    EXPECT_EQ(l.request.size(), 7u);
    EXPECT_EQ(l.request[0], '\x15');
}

TEST(ErrorLine, OpenSsl11ErrorStrings) {
    ErrorLine l = parse_error_line(
        "2019/03/01 10:00:00 [info] 7#7: *1 SSL_do_handshake() failed (SSL: error:1408F09C:SSL "
        "routines:ssl3_get_record:http request) while SSL handshaking, client: 192.0.2.7, server: "
        "0.0.0.0:443");
    EXPECT_EQ(l.failure_class, FailureClass::handshake_protocol_error);
    EXPECT_EQ(l.reason, "http request");
    ErrorLine alert = parse_error_line(
        "2019/03/01 10:00:00 [info] 7#7: *2 SSL_do_handshake() failed (SSL: error:14094412:SSL "
        "routines:ssl3_read_bytes:sslv3 alert bad certificate:SSL alert number 42) while SSL "
        "handshaking, "
        "client: 2001:db8::1, server: [::]:443");
    EXPECT_EQ(alert.failure_class, FailureClass::handshake_alert);
    EXPECT_EQ(alert.alert_number, 42);
    EXPECT_EQ(alert.reason, "sslv3 alert bad certificate");
    EXPECT_EQ(alert.client, "2001:db8::1");
    EXPECT_EQ(alert.server, "[::]:443");
}

TEST(ErrorLine, ChainedOpenSslErrorsUseTheFirstEntry) {
    ErrorLine l = parse_error_line(
        "2026/01/02 03:04:05 [info] 1#1: *9 SSL_do_handshake() failed (SSL: error:0A000076:SSL "
        "routines::no "
        "suitable signature algorithm error:0A000139:SSL routines::record layer failure) while SSL "
        "handshaking, "
        "client: 198.51.100.2, server: 0.0.0.0:443");
    EXPECT_EQ(l.failure_class, FailureClass::handshake_mismatch);
    EXPECT_EQ(l.reason, "no suitable signature algorithm");
}

TEST(ErrorLine, TimeoutResetAndUnknownReasons) {
    EXPECT_EQ(
        parse_error_line(
            "2026/01/02 03:04:05 [info] 1#1: *9 recv() failed (110: Connection timed out) while "
            "SSL handshaking, client: 198.51.100.2, server: 0.0.0.0:443")
            .failure_class,
        FailureClass::handshake_timeout);
    ErrorLine odd = parse_error_line(
        "2026/01/02 03:04:05 [info] 1#1: *9 SSL_do_handshake() failed (SSL: error:0A0000FF:SSL "
        "routines::some "
        "future reason) while SSL handshaking, client: 198.51.100.2, server: 0.0.0.0:443");
    EXPECT_EQ(odd.failure_class, FailureClass::handshake_ssl_error);
    EXPECT_EQ(odd.reason, "some future reason");
    ErrorLine eof = parse_error_line(
        "2026/01/02 03:04:05 [info] 1#1: *9 SSL_do_handshake() failed (SSL: error:0A000126:SSL "
        "routines::unexpected "
        "eof while reading) while SSL handshaking, client: 198.51.100.2, server: 0.0.0.0:443");
    EXPECT_EQ(eof.failure_class, FailureClass::handshake_eof);
}

TEST(ErrorLine, UpstreamHandshakeIsNotAClientFailure) {
    ErrorLine l = parse_error_line(
        "2026/01/02 03:04:05 [error] 1#1: *9 SSL_do_handshake() failed (SSL: error:0A000086:SSL "
        "routines::certificate verify failed) while SSL handshaking to upstream, client: "
        "198.51.100.2, server: "
        "app.example, request: \"GET / HTTP/1.1\", upstream: \"https://10.0.0.5:443/\", host: "
        "\"app.example\"");
    EXPECT_EQ(l.failure_class, FailureClass::upstream_handshake);
    EXPECT_FALSE(is_handshake_failure(l.failure_class));
    EXPECT_EQ(l.request, "GET / HTTP/1.1");
    EXPECT_EQ(l.upstream, "https://10.0.0.5:443/");
    EXPECT_EQ(l.host, "app.example");
}

TEST(ErrorLine, AForgedClientFieldInsideTheRequestDoesNotWin) {
    ErrorLine l = parse_error_line(
        "2026/01/02 03:04:05 [info] 1#1: *3 client sent invalid request while reading client "
        "request line, "
        "client: 203.0.113.9, server: a.example, request: \"GET /\", client: 6.6.6.6, server: x\"");
    EXPECT_EQ(l.client, "203.0.113.9");
    EXPECT_EQ(l.request, "GET /\", client: 6.6.6.6, server: x");
    ErrorLine in_message = parse_error_line(
        "2026/01/02 03:04:05 [info] 1#1: *3 client sent invalid header line: \"X: a, client: "
        "6.6.6.6, server: y\" "
        "while reading client request headers, client: 203.0.113.9, server: a.example");
    EXPECT_EQ(in_message.client, "203.0.113.9");
}

TEST(ErrorLine, MalformedLinesAreNamedAnomalies) {
    EXPECT_EQ(parse_error_line("").anomaly, LineAnomaly::no_timestamp);
    EXPECT_EQ(parse_error_line("stack traceback:").anomaly, LineAnomaly::no_timestamp);
    EXPECT_EQ(parse_error_line("\tcoroutine 0:").anomaly, LineAnomaly::continuation);
    EXPECT_EQ(parse_error_line("2026/13/02 03:04:05 [info] 1#1: x").anomaly,
              LineAnomaly::no_timestamp);
    EXPECT_EQ(parse_error_line("2026/01/02 03:04:05 [loud] 1#1: x").anomaly,
              LineAnomaly::bad_level);
    EXPECT_EQ(parse_error_line("2026/01/02 03:04:05 [info] x: y").anomaly, LineAnomaly::no_pid);
    EXPECT_EQ(parse_error_line("2026/01/02 03:04:05 [info] 12#").anomaly, LineAnomaly::no_pid);
    ErrorLine no_connection =
        parse_error_line("2026/01/02 03:04:05 [notice] 12#12: signal process started");
    EXPECT_EQ(no_connection.anomaly, LineAnomaly::none);
    EXPECT_FALSE(no_connection.connection.has_value());
    EXPECT_EQ(no_connection.message, "signal process started");
}

TEST(ErrorLine, TimesRoundTrip) {
    EXPECT_EQ(civil_seconds(1970, 1, 1, 0, 0, 0), 0);
    EXPECT_EQ(format_time(civil_seconds(2026, 2, 28, 23, 59, 59) + 1), "2026/03/01 00:00:00");
    EXPECT_EQ(parse_time("2026/11/27 14:53"), civil_seconds(2026, 11, 27, 14, 53, 0));
    EXPECT_EQ(parse_time("2026-11-27T14:53:02"), civil_seconds(2026, 11, 27, 14, 53, 2));
    EXPECT_EQ(parse_time("2026-11-27"), civil_seconds(2026, 11, 27, 0, 0, 0));
    EXPECT_FALSE(parse_time("yesterday").has_value());
    EXPECT_FALSE(parse_time("2026/11/27 25:00").has_value());
}

}  // namespace
}  // namespace sniprobe::logs
