// JSON for connection records (see records_json.hpp). Times are CLOCK_REALTIME seconds
// with microseconds, flags are spelled like the report's packets ("RA" = RST+ACK).
// Decoding is strict about types and lenient about missing optional fields, and it
// bounds what it accepts (records, events) the way the sink bounds what it keeps.
#include "sink/records_json.hpp"

#include <nlohmann/json.hpp>

#include "model/packet.hpp"
#include "util/json_integer.hpp"

namespace sniprobe::sink {

namespace {

using nlohmann::json;

constexpr size_t k_max_records = 1000000;

std::string flag_letters(uint8_t f) {
    std::string s;
    if (f & tcp_flag::syn) s += 'S';
    if (f & tcp_flag::fin) s += 'F';
    if (f & tcp_flag::rst) s += 'R';
    if (f & tcp_flag::psh) s += 'P';
    if (f & tcp_flag::ack) s += 'A';
    return s;
}

uint8_t flags_from_letters(const std::string& s) {
    uint8_t f = 0;
    for (char c : s) {
        if (c == 'S') f |= tcp_flag::syn;
        if (c == 'F') f |= tcp_flag::fin;
        if (c == 'R') f |= tcp_flag::rst;
        if (c == 'P') f |= tcp_flag::psh;
        if (c == 'A') f |= tcp_flag::ack;
    }
    return f;
}

json event_json(const TcpEvent& e) {
    return {{"t", e.t},     {"flags", flag_letters(e.flags)},
            {"ttl", e.ttl}, {"ip_id", e.ip_id},
            {"seq", e.seq}, {"window", e.window}};
}

json record_json(const ConnectionRecord& r) {
    json received = json::array(), sent_rst = json::array();
    for (const auto& e : r.received) received.push_back(event_json(e));
    for (const auto& e : r.sent_rst) sent_rst.push_back(event_json(e));
    json syn = nullptr, hello = nullptr;
    if (r.syn_seen)
        syn = {{"t", r.syn_t}, {"ttl", r.syn_ttl}, {"ip_id", r.syn_ip_id}, {"seq", r.syn_seq}};
    if (r.client_hello_seen) hello = {{"t", r.client_hello_t}, {"server_name", r.sni}};
    json tls = nullptr;
    if (r.tls_terminated)
        tls = {{"t", r.tls_t},
               {"completed", r.tls_completed},
               {"server_name", r.tls_server_name},
               {"version", r.tls_version},
               {"anomaly", r.tls_anomaly},
               {"error", r.tls_error}};
    return {{"id", r.id},
            {"client", r.client},
            {"client_port", r.client_port},
            {"server", r.server},
            {"server_port", r.server_port},
            {"first_seen", r.first_seen},
            {"last_seen", r.last_seen},
            {"syn", syn},
            {"client_hello", hello},
            {"hello_anomaly", r.hello_anomaly},
            {"server_bytes", r.server_bytes},
            {"server_answer_t", r.server_answer_t},
            {"received", received},
            {"sent_rst", sent_rst},
            {"tls_completed", r.tls_completed},
            {"tls", tls}};
}

template <class T>
T get_or(const json& j, const char* key, T fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    // Throws on a wrong type or an integer out of range; caught by decode_records.
    return json_get_checked<T>(*it, key);
}

TcpEvent event_from(const json& j) {
    TcpEvent e;
    e.t = get_or<double>(j, "t", 0);
    e.flags = flags_from_letters(get_or<std::string>(j, "flags", ""));
    e.ttl = get_or<uint8_t>(j, "ttl", 0);
    e.ip_id = get_or<uint16_t>(j, "ip_id", 0);
    e.seq = get_or<uint32_t>(j, "seq", 0);
    e.window = get_or<uint16_t>(j, "window", 0);
    return e;
}

void events_from(const json& j, const char* key, std::vector<TcpEvent>& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) return;
    for (const auto& e : *it) {
        if (out.size() >= ConnectionTable::k_max_events_per_connection) break;
        out.push_back(event_from(e));
    }
}

ConnectionRecord record_from(const json& j) {
    ConnectionRecord r;
    r.id = get_or<uint64_t>(j, "id", 0);
    r.client = get_or<std::string>(j, "client", "");
    r.client_port = get_or<uint16_t>(j, "client_port", 0);
    r.server = get_or<std::string>(j, "server", "");
    r.server_port = get_or<uint16_t>(j, "server_port", 0);
    r.first_seen = get_or<double>(j, "first_seen", 0);
    r.last_seen = get_or<double>(j, "last_seen", 0);
    if (auto it = j.find("syn"); it != j.end() && it->is_object()) {
        r.syn_seen = true;
        r.syn_t = get_or<double>(*it, "t", 0);
        r.syn_ttl = get_or<uint8_t>(*it, "ttl", 0);
        r.syn_ip_id = get_or<uint16_t>(*it, "ip_id", 0);
        r.syn_seq = get_or<uint32_t>(*it, "seq", 0);
    }
    if (auto it = j.find("client_hello"); it != j.end() && it->is_object()) {
        r.client_hello_seen = true;
        r.client_hello_t = get_or<double>(*it, "t", 0);
        r.sni = get_or<std::string>(*it, "server_name", "");
    }
    r.hello_anomaly = get_or<std::string>(j, "hello_anomaly", "");
    r.server_bytes = get_or<uint64_t>(j, "server_bytes", 0);
    r.server_answer_t = get_or<double>(j, "server_answer_t", 0);
    events_from(j, "received", r.received);
    events_from(j, "sent_rst", r.sent_rst);
    if (auto it = j.find("tls"); it != j.end() && it->is_object()) {
        r.tls_terminated = true;
        r.tls_t = get_or<double>(*it, "t", 0);
        r.tls_completed = get_or<bool>(*it, "completed", false);
        r.tls_server_name = get_or<std::string>(*it, "server_name", "");
        r.tls_version = get_or<std::string>(*it, "version", "");
        r.tls_anomaly = get_or<std::string>(*it, "anomaly", "");
        r.tls_error = get_or<std::string>(*it, "error", "");
    }
    return r;
}

}  // namespace

std::string encode_records(const std::vector<const ConnectionRecord*>& records, double now_unix) {
    json list = json::array();
    for (const auto* r : records) list.push_back(record_json(*r));
    json doc = {{"sink_version", 1}, {"now", now_unix}, {"connections", list}};
    return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<RecordsDocument> decode_records(std::string_view body) {
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        return fail("the sink's answer is not a JSON object");
    auto list = doc.find("connections");
    if (list == doc.end() || !list->is_array())
        return fail("the sink's answer has no 'connections' array");
    RecordsDocument out;
    try {
        out.sink_now_unix = get_or<double>(doc, "now", 0);
        for (const auto& item : *list) {
            if (out.records.size() >= k_max_records) break;
            if (!item.is_object()) return fail("a connection record is not an object");
            out.records.push_back(record_from(item));
        }
    } catch (const json::exception& e) {
        return fail(std::string("a connection record has a field of the wrong type: ") + e.what());
    } catch (const JsonRangeError& e) {
        return fail(std::string("a connection record has a field out of range: ") + e.what());
    }
    return out;
}

}  // namespace sniprobe::sink
