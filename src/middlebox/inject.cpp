// Sequence arithmetic of forged packets (see inject.hpp). All arithmetic is modulo
// 2^32 (uint32_t wraps), as TCP's is. A zero IP ID is sent with DF set: Linux replaces
// a zero ID on a non-DF packet written to an IP_HDRINCL raw socket with a random one,
// so "zero" is only observable with DF (the zero-ID injectors are told apart by the ID).
#include "middlebox/inject.hpp"

#include "model/packet.hpp"

namespace sniprobe::middlebox {
namespace {

wire::TcpSpec base_spec(const Fingerprint& fp, uint16_t copied_ip_id, std::mt19937_64& rng) {
    wire::TcpSpec s;
    s.ttl = fp.ttl;
    s.window = fp.window;
    s.ip_id = choose_ip_id(fp, copied_ip_id, rng);
    s.df = fp.df || s.ip_id == 0;
    return s;
}

void address(wire::TcpSpec& s, int version, const IpBytes& src, uint16_t src_port,
             const IpBytes& dst, uint16_t dst_port) {
    s.ip_version = version;
    s.src = src;
    s.dst = dst;
    s.src_port = src_port;
    s.dst_port = dst_port;
}

uint32_t spread(const Fingerprint& fp, int i) {
    return fp.seq_spread.empty() ? 0 : fp.seq_spread[static_cast<size_t>(i) % fp.seq_spread.size()];
}

// `count` RSTs from the server to the client: seq = the server's next, ack = past the trigger.
void rsts_to_client(const Rule& rule, const TriggerSegment& t, std::mt19937_64& rng,
                    std::vector<wire::TcpSpec>& out) {
    const Fingerprint& fp = rule.fingerprint;
    // One IP ID per burst: a burst's copies are identical (GFW type II), even a random ID.
    const wire::TcpSpec burst = base_spec(fp, t.client_ip_id, rng);
    for (int i = 0; i < fp.count; ++i) {
        wire::TcpSpec s = burst;
        address(s, t.version, t.server_ip, t.server_port, t.client_ip, t.client_port);
        s.seq = t.server_next + spread(fp, i);
        if (fp.flags == RstFlags::rst_ack) {
            s.flags = tcp_flag::rst | tcp_flag::ack;
            s.ack = t.client_seq + t.payload_len;
        } else {
            s.flags = tcp_flag::rst;
        }
        out.push_back(std::move(s));
    }
}

// `count` RSTs from the client to the server with seq = what the server expects next.
void rsts_to_server(const Rule& rule, const TriggerSegment& t, uint32_t server_expects,
                    std::mt19937_64& rng, std::vector<wire::TcpSpec>& out) {
    const Fingerprint& fp = rule.fingerprint;
    const wire::TcpSpec burst = base_spec(fp, t.client_ip_id, rng);
    for (int i = 0; i < fp.count; ++i) {
        wire::TcpSpec s = burst;
        address(s, t.version, t.client_ip, t.client_port, t.server_ip, t.server_port);
        s.seq = server_expects + spread(fp, i);
        if (fp.flags == RstFlags::rst_ack) {
            s.flags = tcp_flag::rst | tcp_flag::ack;
            s.ack = t.server_next;
        } else {
            s.flags = tcp_flag::rst;
        }
        out.push_back(std::move(s));
    }
}

wire::TcpSpec to_client(const Rule& rule, const TriggerSegment& t, std::mt19937_64& rng,
                        uint32_t seq, uint8_t flags) {
    wire::TcpSpec s = base_spec(rule.fingerprint, t.client_ip_id, rng);
    address(s, t.version, t.server_ip, t.server_port, t.client_ip, t.client_port);
    s.seq = seq;
    s.ack = t.client_seq + t.payload_len;
    s.flags = flags;
    return s;
}

}  // namespace

uint16_t choose_ip_id(const Fingerprint& fp, uint16_t copied, std::mt19937_64& rng) {
    switch (fp.ip_id) {
        case IpIdKind::zero:
            return 0;
        case IpIdKind::copy:
            return copied;
        case IpIdKind::fixed:
            return fp.ip_id_fixed;
        case IpIdKind::random:
            return static_cast<uint16_t>(1 + rng() % 65535);
    }
    return 0;
}

const std::string& blockpage_response() {
    static const std::string response = [] {
        std::string body =
            "<html><head><title>Non-compliance ICP Filing</title></head><body>"
            "<h1>Non-compliance ICP Filing</h1><p>This site has not completed ICP filing "
            "and cannot be accessed.</p></body></html>\n";
        return "HTTP/1.1 403 Forbidden\r\nServer: Beaver\r\nContent-Type: text/html\r\n"
               "Content-Length: " +
               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }();
    return response;
}

InjectionPlan plan_injection(const Rule& rule, const TriggerSegment& t, std::mt19937_64& rng) {
    InjectionPlan plan;
    // In-path boxes drop the original; a plain drop action never releases it either.
    plan.drop_original = rule.mode == Mode::in_path || rule.action == Action::drop ||
                         rule.action == Action::drop_all;
    // What the server expects next when our RST reaches it: the original either never
    // arrives (dropped) or arrives just before the RST (released, then after_verdict).
    const uint32_t server_expects =
        plan.drop_original ? t.client_seq : t.client_seq + t.payload_len;
    auto& server_side = plan.drop_original ? plan.before_verdict : plan.after_verdict;

    switch (rule.action) {
        case Action::rst_both:
            rsts_to_client(rule, t, rng, plan.before_verdict);
            rsts_to_server(rule, t, server_expects, rng, server_side);
            break;
        case Action::rst_client:
            rsts_to_client(rule, t, rng, plan.before_verdict);
            break;
        case Action::fin_client:
            for (int i = 0; i < rule.fingerprint.count; ++i)
                plan.before_verdict.push_back(to_client(rule, t, rng,
                                                        t.server_next + spread(rule.fingerprint, i),
                                                        tcp_flag::fin | tcp_flag::ack));
            break;
        case Action::blockpage: {
            const std::string& page = blockpage_response();
            wire::TcpSpec data =
                to_client(rule, t, rng, t.server_next, tcp_flag::psh | tcp_flag::ack);
            data.payload.assign(page.begin(), page.end());
            plan.before_verdict.push_back(std::move(data));
            plan.before_verdict.push_back(
                to_client(rule, t, rng, t.server_next + static_cast<uint32_t>(page.size()),
                          tcp_flag::fin | tcp_flag::ack));
            rsts_to_server(rule, t, server_expects, rng, server_side);
            break;
        }
        case Action::drop:
        case Action::drop_all:
        case Action::pass:
            break;
    }
    return plan;
}

std::vector<wire::TcpSpec> plan_syn_reset(const Rule& rule, const SynSegment& syn,
                                          std::mt19937_64& rng) {
    std::vector<wire::TcpSpec> out;
    for (int i = 0; i < rule.fingerprint.count; ++i) {
        wire::TcpSpec s = base_spec(rule.fingerprint, syn.client_ip_id, rng);
        address(s, syn.version, syn.server_ip, syn.server_port, syn.client_ip, syn.client_port);
        // A SYN-SENT socket takes an RST only with an ACK of exactly ISN + 1.
        s.seq = 0;
        s.ack = syn.client_isn + 1;
        s.flags = tcp_flag::rst | tcp_flag::ack;
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace sniprobe::middlebox
