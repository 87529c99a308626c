// One flow, judged as a whole once it has ended. The order of the rules is the point:
// a completed handshake is success whatever RST follows it (servers and clients reset
// finished connections all the time); a clear-text fatal alert or a plain-HTTP answer is
// the server speaking; only then does the first RST or FIN of the flow say who ended it,
// and an RST captured before the ClientHello it answers still ends that flow.
#include "offline/tls_judge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string_view>

#include "probe/tls_session.hpp"
#include "wire/client_hello.hpp"

namespace sniprobe::offline {

uint64_t Stream::frame_at(size_t offset) const {
    uint64_t frame = 0;
    for (const auto& [start, f] : marks) {
        if (start > offset) break;
        frame = f;
    }
    return frame;
}

CertificateCheck CertificateCache::check(const std::vector<std::vector<uint8_t>>& chain,
                                         const std::string& host, double at_unix) {
    constexpr double k_day_s = 86400;
    size_t hash = std::hash<std::string_view>{}(host);
    for (const auto& der : chain)
        hash = hash * 31 + std::hash<std::string_view>{}(std::string_view(
                               reinterpret_cast<const char*>(der.data()), der.size()));
    for (const auto& e : m_entries)
        if (e.hash == hash && e.from < at_unix && at_unix < e.until &&
            std::abs(at_unix - e.at) < k_day_s && e.host == host && e.chain == chain)
            return e.result;
    ++m_checks;
    ValidityWindow window;
    Entry e{
        hash, chain, host, at_unix, 0, 0, check_certificate_chain(chain, host, at_unix, window)};
    e.from = window.from;
    e.until = window.until;
    CertificateCheck result = e.result;
    if (m_entries.size() < k_entries) {
        m_entries.push_back(std::move(e));
    } else {
        m_entries[m_next] = std::move(e);
        m_next = (m_next + 1) % k_entries;
    }
    return result;
}

namespace {

constexpr uint8_t k_change_cipher_spec = 20;
constexpr uint8_t k_alert = 21;
constexpr uint8_t k_handshake = 22;
constexpr uint8_t k_application_data = 23;
constexpr uint8_t k_heartbeat = 24;
constexpr uint8_t k_fatal = 2;
constexpr uint8_t k_server_hello = 2;
constexpr uint8_t k_certificate = 11;
constexpr uint8_t k_certificate_request = 13;
constexpr size_t k_record_header = 5;
constexpr size_t k_max_certificates = 10;

// What a stream's clear-text TLS records say.
struct Records {
    bool tls = false;                    // the stream starts like TLS records
    bool plain_http = false;             // it starts "HTTP/" (a plain-HTTP server)
    bool bad_record = false;             // a record header no TLS stack writes
    std::optional<size_t> encrypted_at;  // offset of the first CCS / application-data record
    std::optional<size_t> server_hello_at;
    std::optional<size_t> fatal_alert_at;
    uint8_t fatal_alert = 0;
    std::vector<uint8_t> warnings;  // warning alerts' descriptions
    bool certificate_request = false;
    std::vector<std::vector<uint8_t>> certificates;  // DER, leaf first
};

uint32_t be24(const uint8_t* p) {
    return (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
}

void read_certificates(std::span<const uint8_t> body, Records& r) {
    if (body.size() < 3) return;
    size_t end = std::min<size_t>(body.size(), 3 + be24(body.data()));
    size_t p = 3;
    while (p + 3 <= end && r.certificates.size() < k_max_certificates) {
        const size_t len = be24(body.data() + p);
        p += 3;
        if (p + len > end) return;
        r.certificates.emplace_back(body.begin() + static_cast<std::ptrdiff_t>(p),
                                    body.begin() + static_cast<std::ptrdiff_t>(p + len));
        p += len;
    }
}

// Walks records from offset `from` until encryption starts or the bytes run out.
Records walk_records(const std::vector<uint8_t>& b, size_t from) {
    Records r;
    if (from >= b.size()) return r;
    const std::string_view head(reinterpret_cast<const char*>(b.data() + from),
                                std::min<size_t>(5, b.size() - from));
    if (head.starts_with("HTTP/") ||
        (head.size() < 5 && std::string_view("HTTP/").starts_with(head))) {
        r.plain_http = true;
        return r;
    }
    std::vector<uint8_t> hs;                            // handshake bytes so far
    std::vector<std::pair<size_t, size_t>> hs_records;  // hs offset -> record offset
    size_t hs_parsed = 0;
    size_t o = from;
    while (o + k_record_header <= b.size()) {
        const uint8_t type = b[o];
        const size_t len = (static_cast<size_t>(b[o + 3]) << 8) | b[o + 4];
        if (type < k_change_cipher_spec || type > k_heartbeat || b[o + 1] != 3) {
            r.bad_record = true;
            return r;
        }
        r.tls = true;
        // Encryption starts at a record's header: its body need not be there (the
        // tracker keeps no byte past it).
        if (type == k_change_cipher_spec || type == k_application_data ||
            (type == k_alert && len != 2)) {
            r.encrypted_at = o;
            return r;
        }
        if (o + k_record_header + len > b.size()) {
            // Cut (snap length) or still arriving: a ServerHello's first bytes are enough
            // to know the server answered the hello.
            if (type == k_handshake && hs.empty() && o + k_record_header < b.size() &&
                b[o + k_record_header] == k_server_hello && !r.server_hello_at)
                r.server_hello_at = o;
            break;
        }
        std::span<const uint8_t> frag(b.data() + o + k_record_header, len);
        if (type == k_alert) {  // two bytes: a clear-text alert
            if (frag[0] == k_fatal) {
                r.fatal_alert_at = o;
                r.fatal_alert = frag[1];
                return r;
            }
            r.warnings.push_back(frag[1]);
        } else if (type == k_handshake) {
            hs_records.emplace_back(hs.size(), o);
            hs.insert(hs.end(), frag.begin(), frag.end());
            while (hs_parsed + 4 <= hs.size()) {
                const size_t mlen = be24(hs.data() + hs_parsed + 1);
                if (hs_parsed + 4 + mlen > hs.size()) break;
                const uint8_t mtype = hs[hs_parsed];
                size_t record_at = o;
                for (const auto& [hs_off, rec_off] : hs_records)
                    if (hs_off <= hs_parsed) record_at = rec_off;
                std::span<const uint8_t> body(hs.data() + hs_parsed + 4, mlen);
                if (mtype == k_server_hello && !r.server_hello_at) r.server_hello_at = record_at;
                if (mtype == k_certificate && r.certificates.empty()) read_certificates(body, r);
                if (mtype == k_certificate_request) r.certificate_request = true;
                hs_parsed += 4 + mlen;
            }
        }
        o += k_record_header + len;
    }
    return r;
}

std::string version_name(uint16_t v) {
    switch (v) {
        case 0x0304:
            return "1.3";
        case 0x0303:
            return "1.2";
        case 0x0302:
            return "1.1";
        case 0x0301:
            return "1.0";
        default:
            return fmt::format("0x{:04x}", v);
    }
}

std::string hello_shape(const wire::ClientHello& h) {
    std::vector<std::string> versions;
    for (uint16_t v : h.supported_versions)
        if ((v & 0x0f0f) != 0x0a0a) versions.push_back(version_name(v));  // skip GREASE
    if (versions.empty()) versions.push_back(version_name(h.legacy_version));
    std::string shape =
        fmt::format("{} B, {} record{}, {} ext, TLS {}", h.stream_bytes, h.record_count,
                    h.record_count == 1 ? "" : "s", h.extensions.size(), fmt::join(versions, "/"));
    if (!h.alpn.empty()) shape += fmt::format(", ALPN {}", fmt::join(h.alpn, ","));
    return shape;
}

// The status code of "HTTP/1.1 400 ...", when the bytes hold one.
std::optional<int> http_status_of(const std::vector<uint8_t>& b) {
    const std::string_view text(reinterpret_cast<const char*>(b.data()),
                                std::min<size_t>(b.size(), 16));
    const size_t space = text.find(' ');
    if (space == std::string_view::npos || space + 4 > text.size()) return std::nullopt;
    int status = 0;
    for (size_t i = space + 1; i < space + 4; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        status = status * 10 + (text[i] - '0');
    }
    return status;
}

bool starts_like_client_hello(const Stream& s) {
    return s.bytes.size() >= 6 && s.bytes[0] == k_handshake && s.bytes[1] == 3 && s.bytes[5] == 1;
}

bool is_rst(const PacketRecord& p) {
    return (p.flags & tcp_flag::rst) != 0;
}
bool is_fin(const PacketRecord& p) {
    return (p.flags & tcp_flag::fin) != 0;
}
bool is_synack(const PacketRecord& p) {
    return (p.flags & (tcp_flag::syn | tcp_flag::ack)) == (tcp_flag::syn | tcp_flag::ack);
}
bool is_pure_syn(const PacketRecord& p) {
    return (p.flags & (tcp_flag::syn | tcp_flag::ack)) == tcp_flag::syn;
}

// Which side opened the connection: 0 = a, 1 = b.
int client_side(const FlowInput& in) {
    for (const auto& p : *in.packets) {
        if (is_pure_syn(p.record)) return p.from_a ? 0 : 1;
        if (is_synack(p.record)) return p.from_a ? 1 : 0;
    }
    if (starts_like_client_hello(*in.stream_a)) return 0;
    if (starts_like_client_hello(*in.stream_b)) return 1;
    if (is_tls_port(in.b_port) && !is_tls_port(in.a_port)) return 0;
    if (is_tls_port(in.a_port) && !is_tls_port(in.b_port)) return 1;
    return in.a_port >= in.b_port ? 0 : 1;
}

}  // namespace

std::optional<FinishedFlow> judge_flow(const FlowInput& in) {
    if (in.packets == nullptr || in.packets->empty()) return std::nullopt;
    const bool a_is_client = client_side(in) == 0;
    const Stream& cs = a_is_client ? *in.stream_a : *in.stream_b;
    const Stream& ss = a_is_client ? *in.stream_b : *in.stream_a;

    FinishedFlow out;
    Trial& trial = out.trial;
    FlowFacts& facts = out.facts;
    facts.file = in.file;
    facts.client = a_is_client ? in.a : in.b;
    facts.server = a_is_client ? in.b : in.a;
    facts.client_port = a_is_client ? in.a_port : in.b_port;
    facts.server_port = a_is_client ? in.b_port : in.a_port;
    trial.address = facts.server;
    trial.port = facts.server_port;
    trial.local_port = facts.client_port;
    trial.captured = true;
    if (in.icmp) trial.icmp = *in.icmp;

    const auto& raw = *in.packets;
    trial.packets.reserve(raw.size());
    facts.packet_frames.reserve(raw.size());
    for (const auto& p : raw) {
        PacketRecord r = p.record;
        r.direction = p.from_a == a_is_client ? Direction::outbound : Direction::inbound;
        trial.packets.push_back(std::move(r));
        facts.packet_frames.push_back(p.frame);
    }
    const auto& pk = trial.packets;
    const double t0 = pk.front().t;
    trial.t0 = t0;
    trial.t = pk.back().t;
    for (const auto& p : pk) trial.t = std::max(trial.t, p.t);
    auto index_of_frame = [&](uint64_t frame) -> std::optional<size_t> {
        for (size_t i = 0; i < facts.packet_frames.size(); ++i)
            if (facts.packet_frames[i] == frame) return i;
        return std::nullopt;
    };
    auto ms_since_t0 = [&](size_t i) { return (pk[i].t - t0) * 1000.0; };

    std::optional<size_t> syn, synack, first_rst, client_fin, server_fin, server_data;
    for (size_t i = 0; i < pk.size(); ++i) {
        const auto& p = pk[i];
        const bool out_dir = p.direction == Direction::outbound;
        if (!syn && out_dir && is_pure_syn(p)) syn = i;
        if (!synack && !out_dir && is_synack(p)) synack = i;
        if (!first_rst && is_rst(p)) first_rst = i;
        if (is_fin(p) && !is_rst(p)) {
            if (out_dir && !client_fin) client_fin = i;
            if (!out_dir && !server_fin) server_fin = i;
        }
        if (!server_data && !out_dir && p.payload_len > 0 && !is_rst(p)) server_data = i;
    }
    if (syn) facts.syn_frame = facts.packet_frames[*syn];
    if (synack) {
        facts.synack_frame = facts.packet_frames[*synack];
        trial.connect_ms = ms_since_t0(*synack);
    }
    if (server_data) trial.first_byte_ms = ms_since_t0(*server_data);

    // The ClientHello, whole or as far as the snap length let it through.
    auto parsed = wire::parse_client_hello(cs.bytes);
    const bool tls_start = starts_like_client_hello(cs) ||
                           (cs.bytes.size() >= 2 && cs.bytes[0] == k_handshake && cs.bytes[1] == 3);
    size_t client_records_from = cs.bytes.size();
    if (parsed.hello) {
        const auto& h = *parsed.hello;
        facts.sni = std::string(h.sni());
        facts.hello_shape = hello_shape(h);
        trial.client_hello_bytes = h.stream_bytes;
        client_records_from = h.stream_bytes;
        facts.hello_frame = cs.frame_at(0);
        if (auto end = index_of_frame(cs.frame_at(h.stream_bytes - 1))) {
            trial.hello_sent_ms = ms_since_t0(*end);
            int segments = 0;
            for (size_t i = 0; i <= *end; ++i)
                if (pk[i].direction == Direction::outbound && pk[i].payload_len > 0) ++segments;
            trial.client_hello_segments = segments;
        }
    } else if (tls_start) {
        facts.hello_frame = cs.frame_at(0);
        if (auto sni = wire::quick_sni(cs.bytes)) facts.sni = *sni;
        if (cs.cut)
            facts.anomalies.emplace_back("snaplen_cut_hello");
        else if (parsed.anomaly == wire::HelloAnomaly::incomplete)
            facts.anomalies.emplace_back(cs.gap ? "hello_gap" : "hello_incomplete");
        else
            facts.anomalies.emplace_back("bad_hello_" +
                                         std::string(wire::hello_anomaly_name(parsed.anomaly)));
        facts.hello_shape = fmt::format("{} B seen, not parsed", cs.bytes.size());
        if (auto end = index_of_frame(facts.hello_frame)) trial.hello_sent_ms = ms_since_t0(*end);
    }
    trial.server_name = facts.sni;
    // DNS names are case-insensitive: "BlOcKeD.tEsT" is the same name as blocked.test.
    for (char& ch : facts.sni)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    facts.sni_unknown = !parsed.hello && tls_start && facts.sni.empty();
    const bool hello_seen = facts.hello_frame != 0;
    // A flow caught mid-way (no SYN, no hello) shows nothing about a handshake.
    const bool tls = hello_seen || (is_tls_port(facts.server_port) && syn.has_value());
    if (in.packets_capped) facts.anomalies.emplace_back("packets_capped");
    if (in.duplicates > 0) facts.anomalies.emplace_back("duplicate_frames");

    // A TTL-limited hello (CenTrace-style): its TTL is below its own connection's SYN's.
    if (hello_seen && syn) {
        if (auto hi = index_of_frame(facts.hello_frame); hi && pk[*hi].ttl < pk[*syn].ttl)
            facts.probe_ttl = pk[*hi].ttl;
    }
    for (const auto& icmp : trial.icmp)
        if (icmp.type == 11 || (icmp.type == 3 && facts.server.find(':') != std::string::npos)) {
            facts.icmp_router = icmp.from;
            break;
        }

    const Records server = walk_records(ss.bytes, 0);
    const Records client = walk_records(cs.bytes, client_records_from);
    trial.server_hello_seen = server.server_hello_at.has_value();
    const bool completed = server.server_hello_at && server.encrypted_at && client.encrypted_at;

    auto end_at = [&](std::optional<size_t> i) {
        if (!i) return;
        facts.end_frame = facts.packet_frames[*i];
        trial.failure_ms = ms_since_t0(*i);
    };
    auto end_at_server_offset = [&](size_t offset) {
        facts.end_frame = ss.frame_at(offset);
        if (auto i = index_of_frame(facts.end_frame)) trial.failure_ms = ms_since_t0(*i);
    };
    auto side_of = [&](size_t i) {
        return pk[i].direction == Direction::outbound ? FlowSide::client : FlowSide::server;
    };
    trial.failed_operation = FailedOperation::tls_handshake;

    if (!tls) {
        // Not TLS: kept only to show the forensics of its RSTs.
        if (!first_rst) return std::nullopt;
        facts.outcome = FlowOutcome::not_tls;
        facts.by = side_of(*first_rst);
        end_at(first_rst);
        trial.failure = FailureCode::connection_reset;
        return out;
    }
    if (syn && !synack && !server_data && !completed) {
        const bool refused = first_rst && pk[*first_rst].direction == Direction::inbound;
        facts.outcome = refused ? FlowOutcome::refused : FlowOutcome::no_answer;
        facts.by = FlowSide::server;
        end_at(refused ? first_rst : std::optional<size_t>(pk.size() - 1));
        trial.failure =
            refused ? FailureCode::connection_refused : FailureCode::generic_timeout_error;
        trial.failed_operation = FailedOperation::connect;
        return out;
    }
    for (uint8_t w : server.warnings) facts.detail += "warning " + alert_name(w) + " ";
    if (!facts.detail.empty()) facts.detail.pop_back();
    if (completed) {
        facts.outcome = FlowOutcome::completed;
        trial.failed_operation = FailedOperation::none;
        end_at_server_offset(*server.encrypted_at);
        trial.failure_ms.reset();
        if (!server.certificates.empty()) {
            CertificateCheck check =
                in.certificates != nullptr
                    ? in.certificates->check(server.certificates, facts.sni, in.capture_unix)
                    : check_certificate_chain(server.certificates, facts.sni, in.capture_unix);
            trial.failure = Failure::from_text(failure_for_certificate(check));
            if (!trial.ok()) {
                trial.failed_operation = FailedOperation::tls_handshake;
                if (!facts.detail.empty()) facts.detail += ", ";
                facts.detail += "certificate " + std::string(to_name(check.problem));
            }
            trial.certificate = std::move(check);
        }
        return out;
    }
    // An RST that came before the server's clear-text answer ended the handshake first
    // (an injected reset, with the server answering the hello it still received).
    auto answered_before_rst = [&](size_t server_offset) {
        if (!first_rst) return true;
        auto answer = index_of_frame(ss.frame_at(server_offset));
        return answer && *answer < *first_rst;
    };
    if (server.fatal_alert_at && answered_before_rst(*server.fatal_alert_at)) {
        facts.outcome = FlowOutcome::alert;
        facts.by = FlowSide::server;
        trial.alert_received = alert_name(server.fatal_alert);
        facts.detail = trial.alert_received;
        if (server.certificate_request) facts.detail += " after a CertificateRequest";
        end_at_server_offset(*server.fatal_alert_at);
        trial.failure = FailureCode::ssl_failed_handshake;
        return out;
    }
    if ((server.plain_http || (server.bad_record && !server.tls)) && answered_before_rst(0)) {
        facts.outcome = FlowOutcome::plain_http;
        facts.by = FlowSide::server;
        facts.detail = server.plain_http ? "HTTP response to a ClientHello"
                                         : "plain-text (non-TLS) answer to a ClientHello";
        if (server.plain_http) trial.http_status = http_status_of(ss.bytes);
        end_at_server_offset(0);
        trial.failure = FailureCode::ssl_failed_handshake;
        return out;
    }
    // The server's RST after its own FIN (a retransmitted FIN gave up), or after it had
    // answered a client that already left (the client's FIN first), is teardown, not what
    // ended the handshake.
    // The client's own RST after the server's ServerHello: the client left (a probe that
    // stops at the ServerHello, a browser that gave up), the server had answered.
    if (first_rst && pk[*first_rst].direction == Direction::outbound && server.server_hello_at) {
        if (auto sh = index_of_frame(ss.frame_at(*server.server_hello_at));
            sh && *sh < *first_rst) {
            facts.outcome = FlowOutcome::server_hello;
            trial.failed_operation = FailedOperation::none;
            return out;
        }
    }
    const bool teardown =
        first_rst && pk[*first_rst].direction == Direction::inbound &&
        ((server_fin && *server_fin < *first_rst) ||
         (client_fin && *client_fin < *first_rst && server_data && *server_data < *first_rst));
    if (first_rst && !teardown &&
        (!synack || *first_rst > *synack || pk[*first_rst].direction == Direction::outbound)) {
        facts.outcome = FlowOutcome::reset;
        facts.by = side_of(*first_rst);
        end_at(first_rst);
        trial.failure = FailureCode::connection_reset;
        if (hello_seen && facts.packet_frames[*first_rst] < facts.hello_frame)
            facts.anomalies.emplace_back("rst_before_trigger");
        return out;
    }
    if (server_fin && !server_data && (!client_fin || *server_fin < *client_fin)) {
        facts.outcome = FlowOutcome::fin;
        facts.by = FlowSide::server;
        end_at(server_fin);
        trial.failure = FailureCode::eof_error;
        return out;
    }
    if (trial.server_hello_seen) {
        facts.outcome = FlowOutcome::server_hello;
        trial.failed_operation = FailedOperation::none;
        return out;
    }
    if (!hello_seen) {
        facts.outcome = FlowOutcome::silent_client;
        facts.by = FlowSide::client;
        trial.failure = Failure::from_text("client_sent_no_hello");
        return out;
    }
    facts.outcome = FlowOutcome::silent_server;
    facts.by = FlowSide::server;
    trial.failure = FailureCode::generic_timeout_error;
    end_at(client_fin ? client_fin : std::optional<size_t>(pk.size() - 1));
    return out;
}

void compact(FinishedFlow& flow) {
    auto& packets = flow.trial.packets;
    auto& frames = flow.facts.packet_frames;
    if (packets.size() != frames.size()) return;
    bool server_payload = false;
    for (const auto& p : packets) {
        if (is_rst(p)) return;
        const bool inbound = p.direction == Direction::inbound;
        if (inbound && is_fin(p) && !server_payload && !flow.trial.server_hello_seen) return;
        if (inbound && p.payload_len > 0) server_payload = true;
    }
    bool client_data = false;
    server_payload = false;
    size_t kept = 0;
    for (size_t i = 0; i < packets.size(); ++i) {
        const auto& p = packets[i];
        const bool inbound = p.direction == Direction::inbound;
        bool keep = (p.flags & tcp_flag::syn) != 0 || is_fin(p);
        if (p.payload_len > 0 && !(inbound ? server_payload : client_data)) {
            keep = true;
            (inbound ? server_payload : client_data) = true;
        }
        if (!keep) continue;
        if (kept != i) {
            packets[kept] = std::move(packets[i]);
            frames[kept] = frames[i];
        }
        ++kept;
    }
    packets.resize(kept);
    packets.shrink_to_fit();
    frames.resize(kept);
    frames.shrink_to_fit();
}

}  // namespace sniprobe::offline
