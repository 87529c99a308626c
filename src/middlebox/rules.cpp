// Rules TOML -> Rules (see rules.hpp). toml++ gives each node its source line, so every
// error names "file:line: field: problem"; unknown keys are errors too, because a typo in
// a lab profile ("probabilty") would otherwise silently make a scenario lie.
#include "middlebox/rules.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace sniprobe::middlebox {
namespace {

// Thrown inside the parser only; parse_rules turns it into a Result.
struct RuleError {
    std::string message;
};

class Parser {
  public:
    explicit Parser(std::string_view origin) : m_origin(origin) {}

    [[noreturn]] void error(const toml::node* node, int fallback_line, const std::string& field,
                            const std::string& problem) const {
        int line = node ? static_cast<int>(node->source().begin.line) : fallback_line;
        throw RuleError{fmt::format("{}:{}: {}: {}", m_origin, line, field, problem)};
    }

    Rules parse(std::string_view text) {
        toml::table root;
        try {
            root = toml::parse(text, m_origin);
        } catch (const toml::parse_error& e) {
            throw RuleError{
                fmt::format("{}:{}: syntax: {}", m_origin, e.source().begin.line, e.description())};
        }
        Rules rules;
        rules.origin = m_origin;
        for (auto&& [key, node] : root) {
            if (key.str() != "rule")
                error(&node, 1, std::string(key.str()),
                      "unknown top-level key (expected [[rule]])");
        }
        const toml::node* list = root.get("rule");
        if (!list) return rules;
        const toml::array* arr = list->as_array();
        if (!arr) error(list, 1, "rule", "must be an array of tables ([[rule]])");
        std::set<std::string> names;
        for (size_t i = 0; i < arr->size(); ++i) {
            const toml::table* t = (*arr)[i].as_table();
            std::string where = fmt::format("rule[{}]", i);
            if (!t) error(&(*arr)[i], 1, where, "must be a table");
            Rule r = parse_rule(*t, where);
            if (!names.insert(r.name).second)
                error(t->get("name"), r.line, where + ".name",
                      "duplicate rule name '" + r.name + "'");
            rules.rules.push_back(std::move(r));
        }
        return rules;
    }

  private:
    static void check_keys(const Parser& p, const toml::table& t, const std::string& where,
                           std::initializer_list<std::string_view> allowed) {
        for (auto&& [key, node] : t) {
            if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
                p.error(&node, 0, where + "." + std::string(key.str()), "unknown field");
        }
    }

    std::string get_string(const toml::table& t, std::string_view key, const std::string& where,
                           int line, bool required, std::string fallback = {}) const {
        const toml::node* n = t.get(key);
        std::string field = where + "." + std::string(key);
        if (!n) {
            if (required) error(nullptr, line, field, "missing (required)");
            return fallback;
        }
        if (!n->is_string()) error(n, line, field, "must be a string");
        return std::string(n->as_string()->get());
    }

    int64_t get_int(const toml::table& t, std::string_view key, const std::string& where, int line,
                    int64_t min, int64_t max, int64_t fallback) const {
        const toml::node* n = t.get(key);
        if (!n) return fallback;
        std::string field = where + "." + std::string(key);
        if (!n->is_integer())
            error(n, line, field, fmt::format("must be an integer {}..{}", min, max));
        int64_t v = n->as_integer()->get();
        if (v < min || v > max)
            error(n, line, field, fmt::format("{} is out of range {}..{}", v, min, max));
        return v;
    }

    bool get_bool(const toml::table& t, std::string_view key, const std::string& where, int line,
                  bool fallback) const {
        const toml::node* n = t.get(key);
        if (!n) return fallback;
        if (!n->is_boolean())
            error(n, line, where + "." + std::string(key), "must be true or false");
        return n->as_boolean()->get();
    }

    Rule parse_rule(const toml::table& t, const std::string& where) {
        Rule r;
        r.line = static_cast<int>(t.source().begin.line);
        check_keys(*this, t, where,
                   {"name", "match", "action", "probability", "reassemble", "mode", "fingerprint",
                    "delay_ms", "residual_seconds", "family", "transport"});
        r.name = get_string(t, "name", where, r.line, true);
        if (r.name.empty()) error(t.get("name"), r.line, where + ".name", "must not be empty");
        std::string w = "rule '" + r.name + "'";

        const toml::node* m = t.get("match");
        if (!m) error(nullptr, r.line, w + ".match", "missing (required)");
        if (!m->is_table()) error(m, r.line, w + ".match", "must be a table");
        parse_match(*m->as_table(), w + ".match", r);

        std::string action = get_string(t, "action", w, r.line, true);
        static const std::pair<std::string_view, Action> actions[] = {
            {"rst_both", Action::rst_both},
            {"rst_client", Action::rst_client},
            {"drop", Action::drop},
            {"fin_client", Action::fin_client},
            {"blockpage", Action::blockpage},
            {"drop_all", Action::drop_all},
            {"pass", Action::pass}};
        auto it = std::find_if(std::begin(actions), std::end(actions),
                               [&](auto& a) { return a.first == action; });
        if (it == std::end(actions))
            error(
                t.get("action"), r.line, w + ".action",
                "'" + action +
                    "' is not one of rst_both, rst_client, drop, fin_client, blockpage, drop_all, "
                    "pass");
        r.action = it->second;
        std::string transport = get_string(t, "transport", w, r.line, false, "tcp");
        if (transport == "quic")
            r.transport = Transport::quic;
        else if (transport != "tcp")
            error(t.get("transport"), r.line, w + ".transport",
                  "'" + transport + "' is not tcp or quic");
        if (r.transport == Transport::quic &&
            (r.action != Action::drop && r.action != Action::pass))
            error(t.get("action"), r.line, w + ".action", "a quic rule's action is drop or pass");
        if (r.transport == Transport::quic && r.match != MatchKind::sni_exact &&
            r.match != MatchKind::sni_suffix)
            error(t.get("match"), r.line, w + ".match",
                  "a quic rule matches sni_exact or sni_suffix");
        if (r.action == Action::pass && r.transport != Transport::quic)
            error(t.get("action"), r.line, w + ".action", "pass is for quic rules");
        if ((r.action == Action::drop_all) != (r.match == MatchKind::dst_ip))
            error(t.get("action"), r.line, w + ".action",
                  "drop_all goes with match.dst_ip, and dst_ip only with drop_all");

        if (const toml::node* p = t.get("probability")) {
            auto v = p->value<double>();
            if (!v || !p->is_number())
                error(p, r.line, w + ".probability", "must be a number 0..1");
            if (*v < 0.0 || *v > 1.0)
                error(p, r.line, w + ".probability", fmt::format("{} is out of range 0..1", *v));
            r.probability = *v;
            if (r.action == Action::drop_all && r.probability != 1.0)
                error(p, r.line, w + ".probability",
                      "drop_all is per packet, not per connection: leave probability at 1");
        }
        if (const toml::node* re = t.get("reassemble")) {
            if (re->is_boolean()) {
                r.reassemble =
                    re->as_boolean()->get() ? Reassemble::tcp_and_records : Reassemble::no;
            } else if (re->is_string() && re->as_string()->get() == "tcp") {
                r.reassemble = Reassemble::tcp;
            } else if (re->is_string() && re->as_string()->get() == "tcp_and_records") {
                r.reassemble = Reassemble::tcp_and_records;
            } else if (re->is_string() && re->as_string()->get() == "first_segment_only") {
                r.reassemble = Reassemble::first_segment_only;
            } else {
                error(
                    re, r.line, w + ".reassemble",
                    "must be true, false, \"tcp\", \"tcp_and_records\" or \"first_segment_only\"");
            }
        }
        std::string mode = get_string(t, "mode", w, r.line, false, "on_path");
        if (mode == "on_path")
            r.mode = Mode::on_path;
        else if (mode == "in_path")
            r.mode = Mode::in_path;
        else
            error(t.get("mode"), r.line, w + ".mode", "'" + mode + "' is not on_path or in_path");
        r.delay_ms = static_cast<uint32_t>(get_int(t, "delay_ms", w, r.line, 0, 10000, 0));
        if (const toml::node* fam = t.get("family")) {
            const std::string family = get_string(t, "family", w, r.line, false);
            if (family == "ipv4")
                r.family = 4;
            else if (family == "ipv6")
                r.family = 6;
            else if (family != "any")
                error(fam, r.line, w + ".family", "must be \"ipv4\", \"ipv6\" or \"any\"");
        }
        r.residual_seconds =
            static_cast<uint32_t>(get_int(t, "residual_seconds", w, r.line, 0, 86400, 0));
        if (const toml::node* f = t.get("fingerprint")) {
            if (!f->is_table()) error(f, r.line, w + ".fingerprint", "must be a table");
            parse_fingerprint(*f->as_table(), w + ".fingerprint", r);
        }
        return r;
    }

    void parse_match(const toml::table& t, const std::string& where, Rule& r) {
        check_keys(
            *this, t, where,
            {"sni_exact", "sni_suffix", "http_host", "dst_ip", "ports", "case_sensitive", "ech"});
        static const std::pair<std::string_view, MatchKind> kinds[] = {
            {"sni_exact", MatchKind::sni_exact},
            {"sni_suffix", MatchKind::sni_suffix},
            {"http_host", MatchKind::http_host},
            {"dst_ip", MatchKind::dst_ip}};
        int found = 0;
        for (auto& [key, kind] : kinds) {
            if (!t.get(key)) continue;
            ++found;
            r.match = kind;
            r.pattern = get_string(t, key, where, r.line, true);
            if (r.pattern.empty())
                error(t.get(key), r.line, where + "." + std::string(key), "must not be empty");
        }
        if (found != 1)
            error(found ? t.get("sni_exact") : nullptr, r.line, where,
                  "needs exactly one of sni_exact, sni_suffix, http_host, dst_ip");
        r.case_sensitive = get_bool(t, "case_sensitive", where, r.line, false) ? CaseSensitive::yes
                                                                               : CaseSensitive::no;
        r.ech = get_bool(t, "ech", where, r.line, false);
        if (r.ech && r.match != MatchKind::sni_exact && r.match != MatchKind::sni_suffix)
            error(t.get("ech"), r.line, where + ".ech", "goes with sni_exact or sni_suffix");
        if (r.match == MatchKind::dst_ip) {
            if (::inet_pton(AF_INET, r.pattern.c_str(), r.dst_ip.data()) != 1)
                error(t.get("dst_ip"), r.line, where + ".dst_ip",
                      "'" + r.pattern + "' is not an IPv4 address");
        } else if (r.case_sensitive == CaseSensitive::no) {
            for (auto& c : r.pattern)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (const toml::node* p = t.get("ports")) {
            const toml::array* a = p->as_array();
            if (!a) error(p, r.line, where + ".ports", "must be an array of port numbers");
            for (auto& e : *a) {
                auto v = e.value<int64_t>();
                if (!e.is_integer() || *v < 1 || *v > 65535)
                    error(&e, r.line, where + ".ports", "ports are integers 1..65535");
                r.ports.push_back(static_cast<uint16_t>(*v));
            }
        }
    }

    void parse_fingerprint(const toml::table& t, const std::string& where, Rule& r) {
        check_keys(*this, t, where,
                   {"count", "flags", "ttl", "ip_id", "window", "seq_spread", "df"});
        Fingerprint& f = r.fingerprint;
        f.count = static_cast<int>(get_int(t, "count", where, r.line, 1, 16, 1));
        std::string flags = get_string(t, "flags", where, r.line, false, "rst_ack");
        if (flags == "rst")
            f.flags = RstFlags::rst;
        else if (flags == "rst_ack")
            f.flags = RstFlags::rst_ack;
        else
            error(t.get("flags"), r.line, where + ".flags",
                  "'" + flags + "' is not rst or rst_ack");
        f.ttl = static_cast<uint8_t>(get_int(t, "ttl", where, r.line, 1, 255, 64));
        f.window = static_cast<uint16_t>(get_int(t, "window", where, r.line, 0, 65535, 0));
        f.df = get_bool(t, "df", where, r.line, false);
        std::string ip_id = get_string(t, "ip_id", where, r.line, false, "random");
        if (ip_id == "zero")
            f.ip_id = IpIdKind::zero;
        else if (ip_id == "copy")
            f.ip_id = IpIdKind::copy;
        else if (ip_id == "random")
            f.ip_id = IpIdKind::random;
        else if (ip_id.rfind("fixed:", 0) == 0) {
            f.ip_id = IpIdKind::fixed;
            std::string num = ip_id.substr(6);
            char* end = nullptr;
            long v = num.empty() ? -1 : std::strtol(num.c_str(), &end, 0);
            if (num.empty() || *end != '\0' || v < 1 || v > 65535)
                error(t.get("ip_id"), r.line, where + ".ip_id",
                      "fixed:N needs N in 1..65535 (use \"zero\" for 0)");
            f.ip_id_fixed = static_cast<uint16_t>(v);
        } else {
            error(t.get("ip_id"), r.line, where + ".ip_id",
                  "'" + ip_id + "' is not zero, copy, random or fixed:N");
        }
        if (const toml::node* s = t.get("seq_spread")) {
            const toml::array* a = s->as_array();
            if (!a || a->empty())
                error(s, r.line, where + ".seq_spread", "must be a non-empty array of offsets");
            f.seq_spread.clear();
            for (auto& e : *a) {
                auto v = e.value<int64_t>();
                if (!e.is_integer() || *v < 0 || *v > 1000000)
                    error(&e, r.line, where + ".seq_spread", "offsets are integers 0..1000000");
                f.seq_spread.push_back(static_cast<uint32_t>(*v));
            }
        }
    }

    std::string m_origin;
};

}  // namespace

Result<Rules> parse_rules(std::string_view toml, std::string_view origin) {
    try {
        return Parser(origin).parse(toml);
    } catch (const RuleError& e) {
        return fail(e.message);
    }
}

Result<Rules> load_rules_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot read rules file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return parse_rules(text.str(), path);
}

bool host_matches(const Rule& rule, std::string_view host) {
    std::string name(host);
    if (rule.case_sensitive == CaseSensitive::no)
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string& p = rule.pattern;
    switch (rule.match) {
        case MatchKind::sni_exact:
        case MatchKind::http_host:
            return name == p;
        case MatchKind::sni_suffix:
            // "example.test" matches itself and any subdomain; ".example.test" only subdomains.
            if (p.front() == '.') return name.size() > p.size() && name.ends_with(p);
            return name == p || (name.size() > p.size() && name.ends_with(p) &&
                                 name[name.size() - p.size() - 1] == '.');
        case MatchKind::dst_ip:
            return false;
    }
    return false;
}

std::string_view action_name(Action a) {
    switch (a) {
        case Action::rst_both:
            return "rst_both";
        case Action::rst_client:
            return "rst_client";
        case Action::drop:
            return "drop";
        case Action::fin_client:
            return "fin_client";
        case Action::blockpage:
            return "blockpage";
        case Action::drop_all:
            return "drop_all";
        case Action::pass:
            return "pass";
    }
    return "?";
}

std::string_view match_kind_name(MatchKind m) {
    switch (m) {
        case MatchKind::sni_exact:
            return "sni_exact";
        case MatchKind::sni_suffix:
            return "sni_suffix";
        case MatchKind::http_host:
            return "http_host";
        case MatchKind::dst_ip:
            return "dst_ip";
    }
    return "?";
}

std::string_view mode_name(Mode m) {
    return m == Mode::on_path ? "on_path" : "in_path";
}

}  // namespace sniprobe::middlebox
