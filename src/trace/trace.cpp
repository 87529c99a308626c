// run_trace(): the sweep. The ClientHello for each name is produced once by the probe
// stage's TLS session (the same bytes a diagnose probe sends) and replayed on every
// connection; a replayed hello is an ordinary hello to the server and to a DPI box.
// Order per TTL: for each repetition the control first, then the target, so residual
// blocking triggered by the target cannot pass for the control's own result.
#include "trace/trace.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "probe/tls_session.hpp"
#include "trace/ttl_probe.hpp"
#include "util/interrupt.hpp"

namespace sniprobe::trace {

namespace {

// Consecutive TTLs at which the control drew nothing at all (no ICMP, no answer) before
// the sweep gives up: the path beyond is silent, more TTLs only cost time.
constexpr int k_max_silent_ttls = 3;

Result<std::vector<uint8_t>> client_hello_for(const TlsContexts& contexts, const std::string& name,
                                              const std::string& address) {
    TlsSession session(contexts, TlsProfile::handshake, name, address);
    session.advance();
    auto hello = session.take_output();
    if (hello.empty())
        return fail(fmt::format("trace: OpenSSL produced no ClientHello for '{}'", name));
    return hello;
}

}  // namespace

Result<TraceResult> run_trace(const TraceOptions& options,
                              std::vector<TraceObservation>* observations) {
    auto icmp = IcmpListener::open(options.address);
    if (!icmp) return tl::unexpected(icmp.error());
    auto contexts = TlsContexts::create("");
    if (!contexts) return tl::unexpected(contexts.error());
    auto target_hello = client_hello_for(*contexts, options.target_name, options.address);
    if (!target_hello) return tl::unexpected(target_hello.error());
    auto control_hello = client_hello_for(*contexts, options.control_name, options.address);
    if (!control_hello) return tl::unexpected(control_hello.error());

    std::vector<TraceObservation> all;
    const int repetitions = std::max(1, options.repetitions);
    int silent_ttls = 0;
    for (int ttl = 1; ttl <= options.max_ttl && !interrupted() && silent_ttls < k_max_silent_ttls;
         ++ttl) {
        int control_reached_server = 0, control_heard = 0;
        for (int rep = 0; rep < repetitions && !interrupted(); ++rep) {
            for (NameRole role : {NameRole::control, NameRole::target}) {
                TtlProbeSpec spec;
                spec.address = options.address;
                spec.port = options.port;
                spec.ttl = ttl;
                spec.client_hello = role == NameRole::target ? &*target_hello : &*control_hello;
                spec.wait_ms = options.wait_ms;
                spec.connect_timeout_ms = options.connect_timeout_ms;
                TtlProbeResult r = run_ttl_probe(spec, *icmp);
                if (role == NameRole::control &&
                    (r.outcome == "server_hello" || r.outcome == "alert"))
                    ++control_reached_server;
                if (role == NameRole::control && r.outcome != "timeout") ++control_heard;
                all.push_back(TraceObservation{ttl, role, rep, r.outcome, r.router});
            }
        }
        if (control_reached_server * 2 > repetitions)
            break;  // past the server: nothing more to learn
        silent_ttls = control_heard == 0 ? silent_ttls + 1 : 0;
    }
    TraceResult result = summarize_trace(all);
    if (observations) *observations = std::move(all);
    return result;
}

}  // namespace sniprobe::trace
