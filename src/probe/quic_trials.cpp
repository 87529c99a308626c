// QUIC trials: plan the batch (first flights, then follow-ups tied to a trigger's port),
// run it, and describe each probe in OONI's words (generic_timeout_error for silence,
// connection_refused for an ICMP port unreachable, ssl_failed_handshake for a TLS alert
// in CONNECTION_CLOSE, quic_incompatible_version for a Version Negotiation answering a
// version-1 hello).
#include "probe/quic_trials.hpp"

#include <fmt/core.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <optional>

#include "quic/exchange.hpp"
#include "util/clock.hpp"

namespace sniprobe {
namespace {

bool wanted(const QuicTrialOptions& o, Variant v) {
    return std::find(o.variants.begin(), o.variants.end(), v) != o.variants.end();
}

std::string cipher_name(uint16_t code) {
    switch (code) {
        case 0x1301:
            return "TLS_AES_128_GCM_SHA256";
        case 0x1302:
            return "TLS_AES_256_GCM_SHA384";
        case 0x1303:
            return "TLS_CHACHA20_POLY1305_SHA256";
        default:
            return fmt::format("0x{:04x}", code);
    }
}

}  // namespace

// The observation of one probe, in the Trial's terms.
void describe_quic_result(const quic::ProbeResult& r, Trial& t) {
    t.local_port = r.local_port;
    t.client_hello_bytes = r.hello_bytes;
    t.client_hello_segments = static_cast<int>(r.datagrams_sent);
    t.hello_sent_ms = 0.0;
    t.first_byte_ms = r.first_reply_ms;
    t.failed_operation = FailedOperation::quic_handshake;
    const bool ping = t.variant == Variant::quic_version_ping;
    auto fail = [&](Failure f) {
        t.failure = std::move(f);
        t.failure_ms = (r.ended_s - r.started_s) * 1000.0;
    };
    switch (r.outcome) {
        case quic::ProbeOutcome::server_hello:
        case quic::ProbeOutcome::hello_retry_request:
            t.server_hello_seen = true;
            t.tls_version = r.reply.version() == 0x0304 ? "TLSv1.3" : "";
            t.cipher_suite = cipher_name(r.reply.cipher_suite);
            t.alpn = "h3";
            break;
        case quic::ProbeOutcome::retry:
            t.server_hello_seen = false;
            break;
        case quic::ProbeOutcome::version_negotiation:
            if (!ping) fail(Failure::from_text("quic_incompatible_version"));
            break;
        case quic::ProbeOutcome::connection_close:
            if (r.tls_alert) {
                t.alert_received = SSL_alert_desc_string_long(*r.tls_alert);
                fail(FailureCode::ssl_failed_handshake);
            } else if (r.close && r.close->error_code == 0x02) {
                fail(FailureCode::connection_refused);  // CONNECTION_REFUSED
            } else {
                fail(Failure::from_text(fmt::format("unknown_failure: quic transport error 0x{:x}",
                                                    r.close ? r.close->error_code : 0)));
            }
            break;
        case quic::ProbeOutcome::refused:
            fail(FailureCode::connection_refused);
            break;
        case quic::ProbeOutcome::anomaly:
            fail(Failure::from_text(fmt::format("unknown_failure: quic {}",
                                                r.anomaly != quic::QuicAnomaly::none
                                                    ? quic::quic_anomaly_name(r.anomaly)
                                                    : forge::reply_anomaly_name(r.reply.anomaly))));
            break;
        case quic::ProbeOutcome::timeout:
            fail(FailureCode::generic_timeout_error);
            break;
        case quic::ProbeOutcome::local_error:
            fail(Failure::from_text("unknown_failure: " + r.error));
            break;
    }
    if (t.ok()) t.failed_operation = FailedOperation::none;
}

std::vector<Trial> run_quic_trials(const Target& target, const Resolution& resolution,
                                   const QuicTrialOptions& options, int first_id) {
    std::vector<Trial> trials;
    if (resolution.addresses.empty()) return trials;
    const std::string& address = resolution.addresses.front().address;
    const bool named = !target.sni.empty();

    std::vector<quic::ProbeRequest> requests;
    auto add = [&](Variant v, const std::string& name, quic::ProbeKind kind) {
        quic::ProbeRequest r;
        r.kind = kind;
        r.address = address;
        r.port = target.port;
        r.server_name = name;
        // Only the ECH twins carry ECH, so each pair differs in that one extension; it
        // goes right after the name, in the first Initial with it.
        r.ech = is_ech_variant(v) ? forge::EchGrease::early : forge::EchGrease::off;
        r.timeout_ms = options.timeout_ms;
        requests.push_back(r);
        Trial t;
        t.variant = v;
        t.address = address;
        t.port = target.port;
        t.server_name = name;
        trials.push_back(t);
    };
    // First flights, interleaved round by round: every one leaves before any block starts.
    std::vector<size_t> triggers;
    for (int round = 0; round < options.trials_per_variant; ++round) {
        if (named && wanted(options, Variant::quic_sni)) {
            triggers.push_back(requests.size());
            add(Variant::quic_sni, target.sni, quic::ProbeKind::hello);
        }
        if (wanted(options, Variant::quic_no_sni))
            add(Variant::quic_no_sni, "", quic::ProbeKind::hello);
        if (named && wanted(options, Variant::quic_control))
            add(Variant::quic_control, target.control_sni, quic::ProbeKind::hello);
        if (wanted(options, Variant::quic_version_ping))
            add(Variant::quic_version_ping, "", quic::ProbeKind::version_ping);
        if (named && wanted(options, Variant::quic_sni_ech))
            add(Variant::quic_sni_ech, target.sni, quic::ProbeKind::hello);
        if (named && wanted(options, Variant::quic_control_ech))
            add(Variant::quic_control_ech, target.control_sni, quic::ProbeKind::hello);
    }
    // Follow-ups after the first triggers: the same 4-tuple and the same 3-tuple.
    const size_t n_triggers =
        std::min(triggers.size(), static_cast<size_t>(std::max(options.followup_triggers, 0)));
    for (size_t k = 0; k < n_triggers && named; ++k) {
        std::optional<size_t> first_same, first_new;
        for (int delay : options.followup_ms) {
            if (wanted(options, Variant::quic_followup_same_port)) {
                add(Variant::quic_followup_same_port, target.control_sni, quic::ProbeKind::hello);
                requests.back().same_port_as = triggers[k];
                requests.back().start_after_ms = delay;
                requests.back().only_if_unanswered = first_same;
                if (!first_same) first_same = requests.size() - 1;
            }
            if (wanted(options, Variant::quic_followup_new_port)) {
                add(Variant::quic_followup_new_port, target.control_sni, quic::ProbeKind::hello);
                requests.back().start_after_ms = delay;
                requests.back().only_if_unanswered = first_new;
                if (!first_new) first_new = requests.size() - 1;
            }
        }
    }

    const double run_start =
        options.run_start_unix != 0 ? options.run_start_unix : realtime_seconds();
    const double mono_to_unix = realtime_seconds() - monotonic_seconds();
    auto results = quic::run_probes(requests, options.concurrency);
    std::vector<Trial> out;
    for (size_t i = 0; i < trials.size(); ++i) {
        if (results[i].skipped) continue;
        Trial& t = trials[i];
        t.id = first_id + static_cast<int>(out.size());
        t.t0 = results[i].started_s + mono_to_unix - run_start;
        t.t = results[i].ended_s + mono_to_unix - run_start;
        describe_quic_result(results[i], t);
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace sniprobe
