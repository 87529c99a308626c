// `sniprobe sink`: the cooperating server side. Runs on (or beside) the real server,
// records what really arrives on its TLS port — the SYN, the ClientHello and its name,
// every RST and FIN with the TTL and IP ID it came with, whether this host reset the
// connection itself — and serves those records to `diagnose --sink` over a small
// authenticated HTTP port. The quirk it exists for (DESIGN.md §1): each end of a reset
// handshake blames the other; only a witness at the server can prove that the reset
// the server got was never sent by the client.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "sink/server.hpp"
#include "util/result.hpp"

namespace sniprobe::cli {
namespace {

struct SinkArgs {
    std::string listen;
    std::string token_file;
    std::vector<int> watch_ports;
    std::string interface = "any";
    size_t capacity = 10000;
    int max_clients = 64;
    int read_timeout_ms = 5000;
    double rate = 10;
    std::string cert_file;
    std::string key_file;
    int tls_port = 0;  // 0 = the first watched port
    int tls_timeout_ms = 5000;
};

// "ADDR:PORT" or "[V6]:PORT" -> address and port; a usage error otherwise.
std::pair<std::string, uint16_t> split_listen(const std::string& text) {
    std::string address, port;
    if (!text.empty() && text.front() == '[') {
        size_t close = text.find("]:");
        if (close == std::string::npos)
            throw usage_error("--listen: expected [IPv6]:PORT, got '" + text + "'");
        address = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        size_t colon = text.rfind(':');
        if (colon == std::string::npos)
            throw usage_error("--listen: expected ADDR:PORT, got '" + text + "'");
        address = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    auto r = std::from_chars(port.data(), port.data() + port.size(), value);
    if (r.ec != std::errc{} || r.ptr != port.data() + port.size() || value == 0 || value > 65535)
        throw usage_error("--listen: bad port '" + port + "'");
    return {address, static_cast<uint16_t>(value)};
}

int run_sink_command(const SinkArgs& a) {
    sink::SinkOptions o;
    std::tie(o.listen_address, o.listen_port) = split_listen(a.listen);
    auto token = sink::read_token_file(a.token_file);
    if (!token) throw usage_error(token.error().message);
    o.token = *token;
    if (!a.watch_ports.empty()) {
        o.watch_ports.clear();
        for (int p : a.watch_ports) o.watch_ports.push_back(static_cast<uint16_t>(p));
    }
    o.interface = a.interface;
    o.capacity = a.capacity;
    o.max_clients = a.max_clients;
    o.read_timeout_ms = a.read_timeout_ms;
    o.requests_per_s = a.rate;
    o.request_burst = 2 * a.rate;
    if (a.cert_file.empty() != a.key_file.empty())
        throw usage_error("--cert and --key go together");
    if (a.tls_port != 0 && a.cert_file.empty())
        throw usage_error("--tls-port needs --cert and --key");
    if (!a.cert_file.empty()) {
        o.tls_cert_file = a.cert_file;
        o.tls_key_file = a.key_file;
        o.tls_port = a.tls_port != 0 ? static_cast<uint16_t>(a.tls_port) : o.watch_ports.front();
        o.tls_handshake_timeout_ms = a.tls_timeout_ms;
        // The sink's own TLS port is recorded like any watched port.
        if (std::find(o.watch_ports.begin(), o.watch_ports.end(), o.tls_port) ==
            o.watch_ports.end())
            o.watch_ports.push_back(o.tls_port);
    }
    auto ran = sink::run_sink(o);
    if (!ran) throw Fatal(ran.error());
    return 0;
}

}  // namespace

void register_sink(CLI::App& app) {
    auto args = std::make_shared<SinkArgs>();
    auto* cmd =
        app.add_subcommand("sink", "Record what really reaches the server, for diagnose --sink");
    set_long_help(
        cmd,
        "Record what really reaches the server, for `diagnose --sink`.\n\n"
        "Run it on (or beside) the real server, as root. It captures the watched ports\n"
        "(443 by default) and remembers, per connection: the SYN (TTL, IP ID), the\n"
        "ClientHello and its name, every RST/FIN received with its TTL and IP ID, and\n"
        "whether this host sent an RST itself. `diagnose HOST --sink URL --token-file F`\n"
        "fetches the records of its own run and can then prove that the server received\n"
        "a reset the client never sent. Queries need `Authorization: Bearer <token>`.\n\n"
        "Examples:\n"
        "  openssl rand -hex 32 > /etc/sniprobe-sink.token\n"
        "  sniprobe sink --listen 0.0.0.0:9443 --token-file /etc/sniprobe-sink.token\n"
        "  curl -H \"Authorization: Bearer $(cat token)\" "
        "'http://HOST:9443/v1/connections?client=IP'\n\n"
        "With --cert/--key the sink also terminates TLS itself on --tls-port (default: the\n"
        "first watched port) and records per connection whether the handshake completed,\n"
        "the SNI it saw, or why not (not_tls, handshake_failed, handshake_timeout, ...):\n"
        "  sniprobe sink --listen 0.0.0.0:9443 --token-file T --cert leaf.pem --key leaf.key "
        "--tls-port 8443\n");
    cmd->add_option("--listen", args->listen, "ADDR:PORT to serve queries on (HTTP)")->required();
    add_token_file_option(cmd, args->token_file)->required();
    cmd->add_option("--watch-port", args->watch_ports,
                    "a server port to record (repeatable; default 443)")
        ->check(CLI::Range(1, 65535));
    cmd->add_option("--interface", args->interface, "capture interface")->capture_default_str();
    cmd->add_option("--capacity", args->capacity,
                    "connections remembered (the oldest are forgotten)")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    cmd->add_option("--max-clients", args->max_clients, "query connections open at once")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    cmd->add_option("--read-timeout-ms", args->read_timeout_ms,
                    "time a client has to send its request")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
    cmd->add_option("--rate", args->rate,
                    "queries per second per client address (burst: twice that)")
        ->check(CLI::Range(0.1, 10000.0))
        ->capture_default_str();
    cmd->add_option("--cert", args->cert_file,
                    "PEM certificate chain: terminate TLS on --tls-port (needs --key)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--key", args->key_file, "PEM private key for --cert")
        ->check(CLI::ExistingFile);
    cmd->add_option("--tls-port", args->tls_port,
                    "port to terminate TLS on (default: the first --watch-port; also watched)")
        ->check(CLI::Range(1, 65535));
    cmd->add_option("--tls-timeout-ms", args->tls_timeout_ms,
                    "time a TLS client has for its handshake, then for its request")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
    on_run(cmd, [args] { exit_status() = run_sink_command(*args); });
}

}  // namespace sniprobe::cli
