// A small builder for hand-made diagnoses: "10 sni trials reset after the ClientHello,
// 10 no_sni ok, forensics say injected". Each trial shape sets the fields a real probe
// would (connect time, ServerHello seen, failure and failed_operation), so rules are
// tested against observations as recorded, not against the rules' own shortcuts.
#pragma once

#include <string>
#include <vector>

#include "analysis/analyze.hpp"
#include "model/diagnosis.hpp"

namespace sniprobe::testing {

// Mutates a fresh trial into one observed outcome.
using Shape = void (*)(Trial&);

inline void handshake_ok(Trial& t) {
    t.connect_ms = 5.0;
    t.hello_sent_ms = 5.2;
    t.first_byte_ms = 11.0;
    t.server_hello_seen = true;
    t.tls_version = "TLSv1.3";
    t.cipher_suite = "TLS_AES_256_GCM_SHA384";
}
inline void reset_after_hello(Trial& t) {
    t.connect_ms = 5.0;
    t.hello_sent_ms = 5.2;
    t.failure_ms = 23.0;
    t.failure = FailureCode::connection_reset;
    t.failed_operation = FailedOperation::tls_handshake;
}
inline void timeout_after_hello(Trial& t) {
    t.connect_ms = 5.0;
    t.hello_sent_ms = 5.2;
    t.failure_ms = 5000.0;
    t.failure = FailureCode::generic_timeout_error;
    t.failed_operation = FailedOperation::tls_handshake;
}
inline void eof_after_hello(Trial& t) {
    t.connect_ms = 5.0;
    t.hello_sent_ms = 5.2;
    t.failure_ms = 20.0;
    t.failure = FailureCode::eof_error;
    t.failed_operation = FailedOperation::tls_handshake;
}
inline void alert_unrecognized_name(Trial& t) {
    t.connect_ms = 5.0;
    t.hello_sent_ms = 5.2;
    t.failure = FailureCode::ssl_failed_handshake;
    t.failed_operation = FailedOperation::tls_handshake;
    t.alert_received = "unrecognized_name";
}
inline void quic_timeout(Trial& t) {
    t.failure_ms = 3000.0;
    t.failure = FailureCode::generic_timeout_error;
    t.failed_operation = FailedOperation::quic_handshake;
}
inline void connect_refused(Trial& t) {
    t.failure_ms = 1.0;
    t.failure = FailureCode::connection_refused;
    t.failed_operation = FailedOperation::connect;
}
// full_verify against a server that sends only its leaf.
inline void chain_incomplete(Trial& t) {
    handshake_ok(t);
    t.tls_version.clear();
    t.cipher_suite.clear();
    t.failure = FailureCode::ssl_unknown_authority;
    t.failed_operation = FailedOperation::tls_handshake;
    CertificateCheck c;
    c.problem = CertProblem::chain_incomplete;
    c.openssl_code = 20;
    c.openssl_message = "unable to get local issuer certificate";
    c.chain_subjects = {"CN=example.com"};
    t.certificate = c;
}
inline void verified(Trial& t) {
    handshake_ok(t);
    CertificateCheck c;
    c.verified = true;
    c.chain_subjects = {"CN=example.com", "CN=Example Intermediate"};
    t.certificate = c;
}
// The origin's own answer to a plain-HTTP request (the lab's nginx).
inline void http_origin_page(Trial& t) {
    t.connect_ms = 5.0;
    t.http_status = 200;
    t.http_server_header = "nginx";
    t.http_title = "Welcome";
}
// A redirect to a provider's block page: no known marker, only a foreign Server.
inline void http_foreign_redirect(Trial& t) {
    t.connect_ms = 5.0;
    t.http_status = 302;
    t.http_server_header = "Tengine";
    t.http_title = "";
}
inline void http_beaver_page(Trial& t) {
    t.connect_ms = 5.0;
    t.http_status = 403;
    t.http_server_header = "Beaver";
    t.http_title = "Non-compliance ICP Filing";
}

class Scenario {
  public:
    Scenario() {
        m_d.target.input = "example.com";
        m_d.target.host = "example.com";
        m_d.target.sni = "example.com";
        m_d.target.control_sni = "control.example.net";
        m_d.resolution.addresses = {{"203.0.113.10", "ipv4", "dns"}};
        m_d.resolution.dns_addresses = {"203.0.113.10"};
    }

    // Adds `count` trials of a variant, all shaped the same way (in time order).
    Scenario& add(Variant v, int count, Shape shape) {
        for (int i = 0; i < count; ++i) {
            Trial t;
            t.id = static_cast<int>(m_d.trials.size());
            t.variant = v;
            t.address = "203.0.113.10";
            t.port = is_http_variant(v) ? 80 : 443;
            t.server_name = v == Variant::no_sni ? ""
                            : v == Variant::control_sni || v == Variant::control_http
                                ? "control.example.net"
                                : "example.com";
            t.local_port = static_cast<uint16_t>(40000 + t.id);
            t.t0 = 0.1 * t.id;
            t.t = t.t0 + 0.05;
            t.captured = m_captured;
            shape(t);
            m_d.trials.push_back(t);
        }
        return *this;
    }

    // Trials added after this carry packet capture.
    Scenario& captured() {
        m_captured = true;
        return *this;
    }

    // Forensics: every reset/eof trial of `v` gets one finding with this origin.
    Scenario& forensics(Variant v, RstOrigin origin,
                        RstSignatureId signature = RstSignatureId::unknown) {
        for (const Trial& t : m_d.trials) {
            if (t.variant != v ||
                (t.failure != FailureCode::connection_reset && t.failure != FailureCode::eof_error))
                continue;
            RstFinding f;
            f.trial_id = t.id;
            f.origin = origin;
            f.signature = signature;
            f.flags = t.failure == FailureCode::eof_error ? 0x11 : 0x14;
            f.ttl = origin == RstOrigin::server ? 52 : 60;
            f.server_synack_ttl = 52;
            m_rsts.push_back(f);
        }
        return *this;
    }

    // The server's kernel answering each injected RST of `v` (it reached the server first).
    Scenario& server_replies_to_injection(Variant v) {
        std::vector<RstFinding> replies;
        for (const RstFinding& injected : m_rsts) {
            if (injected.origin != RstOrigin::injected) continue;
            const Trial& t = m_d.trials[static_cast<size_t>(injected.trial_id)];
            if (t.variant != v) continue;
            RstFinding reply = injected;
            reply.origin = RstOrigin::server;
            reply.signature = RstSignatureId::server_stack;
            reply.ttl = 52;
            reply.after_injected = true;
            replies.push_back(reply);
        }
        m_rsts.insert(m_rsts.end(), replies.begin(), replies.end());
        return *this;
    }

    Scenario& forced_ip(std::string ip, std::vector<std::string> dns) {
        m_d.target.forced_ip = ip;
        m_d.resolution.addresses = {{ip, "ipv4", "cli"}};
        m_d.resolution.dns_addresses = std::move(dns);
        return *this;
    }

    Scenario& dns_failure(std::string failure) {
        m_d.resolution.addresses.clear();
        m_d.resolution.dns_addresses.clear();
        m_d.resolution.failure = std::move(failure);
        return *this;
    }

    Scenario& trace_hop(int hop, std::string router) {
        TraceResult trace;
        trace.middlebox_hop = hop;
        trace.middlebox_router = std::move(router);
        trace.placement = "on_path";
        m_d.trace = trace;
        return *this;
    }

    // The diagnosis with its analysis computed as the pipeline would.
    Diagnosis build() const {
        Diagnosis d = m_d;
        d.analysis = analyze(d.trials);
        d.analysis.rsts = m_rsts;
        return d;
    }

  private:
    Diagnosis m_d;
    std::vector<RstFinding> m_rsts;
    bool m_captured = false;
};

// The seed story: 9 of 10 handshakes naming the target reset, every control fine.
// TCP at its plainest, all answered: the background of the QUIC and ECH rules' tests.
inline Scenario tcp_fine() {
    Scenario s;
    s.add(Variant::sni, 10, handshake_ok)
        .add(Variant::no_sni, 10, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok);
    return s;
}

inline Scenario seed_scenario() {
    Scenario s;
    s.add(Variant::no_sni, 5, handshake_ok)
        .add(Variant::sni, 9, reset_after_hello)
        .add(Variant::sni, 1, handshake_ok)
        .add(Variant::control_sni, 10, handshake_ok)
        .add(Variant::no_sni, 5, handshake_ok);
    return s;
}

}  // namespace sniprobe::testing
