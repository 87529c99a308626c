// A diagnosis with every optional part of the model filled at least once (packets,
// ICMP, forensics, a certificate, HTTP facts, a trace, notes, anomalies), shared by the
// JSON tests so "every field" means the same thing in each.
#pragma once

#include "../verdict/scenario.hpp"
#include "verdict/decide.hpp"

namespace sniprobe::testing {

// The seed story with packets, forensics, a certificate, a trace and notes: every
// optional part of the model filled at least once.
inline Diagnosis rich_diagnosis() {
    Scenario s;
    s.captured()
        .add(Variant::no_sni, 2, handshake_ok)
        .add(Variant::sni, 3, reset_after_hello)
        .add(Variant::control_sni, 2, handshake_ok)
        .add(Variant::full_verify, 1, verified)
        .add(Variant::http_host, 1, http_beaver_page)
        .forensics(Variant::sni, RstOrigin::injected, RstSignatureId::gfw_type_2)
        .trace_hop(2, "10.77.2.1")
        .forced_ip("203.0.113.10", {"203.0.113.10", "2001:db8::10"});
    Diagnosis d = s.build();
    Trial& t = d.trials[2];  // the first sni trial
    PacketRecord syn;
    syn.t = 0.2;
    syn.flags = 0x02;
    syn.seq = 1000;
    syn.ttl = 64;
    syn.ip_id = 4321;
    syn.df = true;
    syn.window = 64240;
    syn.tcp_header_len = 40;
    PacketRecord rst = syn;
    rst.direction = Direction::inbound;
    rst.flags = 0x14;
    rst.ttl = 60;
    rst.ip_id = 0;
    rst.df = false;
    rst.payload_len = 10;
    rst.payload_head = {0x01, 0x02, 0x03, 0xff};
    t.packets = {syn, rst};
    t.icmp.push_back({0.25, "10.77.1.1", 11, 0});
    d.analysis.rsts.front().packet_index = 1;
    d.analysis.rsts.front().hop_difference = 3;
    d.analysis.rsts.front().delay_ms = 18.5;
    d.analysis.rsts.front().reasons = {"TTL 60 vs SYN-ACK 52", "IP ID 0"};
    d.trace->hops = {{1, "10.77.1.1", "time_exceeded", "time_exceeded"}, {2, "", "rst", "timeout"}};
    d.notes = {"capture on veth0"};
    d.anomalies = {"truncated TCP option in trial 3"};
    d.duration_s = 4.25;
    ResidualReport residual;  // diagnose --residual (every field set)
    residual.status = ResidualStatus::cleared;
    residual.trigger_trial_id = 2;
    residual.trigger_t = 0.052;
    residual.address = "10.77.3.2";
    residual.port = 443;
    residual.control_name = "example.com";
    residual.max_s = 20;
    residual.window_s = 6.3;
    residual.blocked_until_s = 5.8;
    residual.keyed_fields = 3;
    residual.scope = "port 8443 on the same server answered while port 443 was blocked";
    residual.probes = {
        {0.4, 443, "tls", "example.com", ResidualPhase::during, FailureCode::connection_refused,
         false},
        {0.41, 8443, "tls", "example.com", ResidualPhase::during, FailureCode::ssl_failed_handshake,
         true},
        {6.3, 443, "tls", "example.com", ResidualPhase::during, FailureCode::none, true}};
    d.residual = residual;
    Backoff backoff;  // a busy server: 64 at once met its limit, 8 at once did not
    backoff.passes = {{64, 90, 71, 40, 31, 31}, {8, 90, 0, 40, 0, 0}};
    backoff.kept = 1;
    d.backoff = backoff;
    d.verdict = decide(d);
    return d;
}

}  // namespace sniprobe::testing
