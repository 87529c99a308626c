// `sniprobe trace HOST[:PORT]`: the TTL-limited ClientHello sweep of src/trace/. Resolves
// the name (or takes --ip), sends the control name first at each TTL, prints one row
// per hop and the middlebox hop when there is one (exit 1, "a problem was found"), or
// the trace as JSON with --json. Needs CAP_NET_RAW for the raw ICMP socket.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "model/diagnosis.hpp"
#include "report/json_report.hpp"
#include "resolve/resolver.hpp"
#include "resolve/target.hpp"
#include "trace/trace.hpp"
#include "util/result.hpp"

namespace sniprobe::cli {
namespace {

struct TraceArgs {
    std::string target;
    std::string ip;
    std::string control;
    int max_ttl = 16;
    int repetitions = 3;
    int wait_ms = 1000;
    bool json = false;
};

void print_text(const Target& target, const trace::TraceOptions& o, const TraceResult& r) {
    fmt::print("trace {} ({}:{}), control {}, {} repetition{} per TTL\n", target.sni, o.address,
               unsigned{o.port}, o.control_name, o.repetitions, o.repetitions == 1 ? "" : "s");
    fmt::print("{:>4}  {:<39}  {:<14}  {}\n", "ttl", "router", "target", "control");
    for (const auto& h : r.hops)
        fmt::print("{:>4}  {:<39}  {:<14}  {}\n", h.ttl, h.router.empty() ? "*" : h.router,
                   h.outcome, h.control_outcome);
    if (r.middlebox_hop)
        fmt::print("interference begins at hop {} ({}){}\n", *r.middlebox_hop,
                   r.middlebox_router.empty() ? "router did not answer" : r.middlebox_router,
                   r.placement.empty()        ? ""
                   : r.placement == "on_path" ? ", on-path (the hello travels on)"
                                              : ", in-path (the hello is swallowed)");
    else
        fmt::print("no hop treats {} differently from {}\n", target.sni, o.control_name);
}

void run(const TraceArgs& a) {
    auto target = parse_target(a.target, 443);
    if (!target) throw usage_error(target.error().message);
    if (target->sni.empty())
        throw usage_error(
            "trace needs a host name (an IP literal sends no SNI); use --ip to pick the address");
    if (!a.ip.empty()) {
        auto ip = parse_ip_literal(a.ip);
        if (!ip) throw usage_error(ip.error().message);
        target->forced_ip = *ip;
    }
    if (a.max_ttl < 1 || a.max_ttl > 64) throw usage_error("--max-ttl must be 1..64");
    if (a.repetitions < 1 || a.repetitions > 20) throw usage_error("--repetitions must be 1..20");

    trace::TraceOptions o;
    if (target->forced_ip) {
        o.address = *target->forced_ip;  // no DNS: trace only needs the address
    } else {
        Resolution resolution = resolve(*target, ResolveOptions{});
        if (resolution.addresses.empty())
            throw Fatal(ErrorCode::not_found,
                        fmt::format("cannot resolve {}: {}", target->host, resolution.failure));
        o.address = resolution.addresses.front().address;
    }
    o.port = target->port;
    o.target_name = target->sni;
    o.control_name = !a.control.empty()             ? a.control
                     : !target->control_sni.empty() ? target->control_sni
                                                    : default_control_sni(*target);
    o.max_ttl = a.max_ttl;
    o.repetitions = a.repetitions;
    o.wait_ms = a.wait_ms;
    auto result = trace::run_trace(o);
    if (!result) throw Fatal(result.error());

    if (a.json) {
        target->control_sni = o.control_name;
        std::fflush(stdout);
        write_trace_json(std::cout, *target, o.address, *result);
        std::cout.flush();
    } else {
        print_text(*target, o, *result);
    }
    exit_status() = result->middlebox_hop ? 1 : 0;
}

}  // namespace

void register_trace(CLI::App& app) {
    auto a = std::make_shared<TraceArgs>();
    auto* cmd = app.add_subcommand(
        "trace", "locate the interfering hop: TTL-limited ClientHellos, target vs control name");
    cmd->add_option("target", a->target, "HOST[:PORT] (default port 443)")->required();
    cmd->add_option("--ip", a->ip, "probe this address instead of resolving HOST");
    add_control_sni_option(cmd, a->control);
    cmd->add_option("--max-ttl", a->max_ttl,
                    "highest TTL tried (default 16; stops once the control reaches the server)");
    cmd->add_option("--repetitions", a->repetitions, "probes per TTL and name (default 3)");
    cmd->add_option("--wait-ms", a->wait_ms,
                    "how long each probe waits for an answer (default 1000)");
    add_json_flag(cmd, a->json);
    on_run(cmd, [a] { run(*a); });
}

}  // namespace sniprobe::cli
