// Terminal and JSON views of a LogSummary. The terminal view answers first (one sentence,
// then the explanation of the most frequent class), then shows the tables that back it.
#include "logs/render.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace sniprobe::logs {
namespace {

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string iso_time(int64_t t) {
    std::string s = format_time(t);
    s[4] = '-';
    s[7] = '-';
    s[10] = 'T';
    return s;
}

const ClassRow* top_failure(const LogSummary& s) {
    const ClassRow* top = nullptr;
    for (const auto& row : s.class_rows) {
        if (is_handshake_failure(row.failure_class) && (top == nullptr || row.count > top->count))
            top = &row;
    }
    return top;
}

std::string reasons_text(const ClassRow& row, std::size_t max) {
    std::string out;
    for (std::size_t i = 0; i < row.reasons.size() && i < max; ++i) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {}", printable(row.reasons[i].reason), row.reasons[i].count);
    }
    if (row.reasons.size() > max) out += ", ...";
    return out;
}

// The class with most failures of one client.
FailureClass main_class(const ClientCounts& c) {
    std::size_t best = index(FailureClass::other);
    uint64_t best_count = 0;
    for (std::size_t i = 0; i < k_class_count; ++i) {
        if (c.classes[i] > best_count) {
            best = i;
            best_count = c.classes[i];
        }
    }
    return static_cast<FailureClass>(best);
}

// Merges buckets until at most `max_rows` remain.
std::pair<int64_t, std::vector<BucketRow>> fit_buckets(const LogSummary& s, std::size_t max_rows) {
    int64_t width = s.bucket_s;
    std::vector<BucketRow> rows = s.buckets;
    while (rows.size() > std::max<std::size_t>(max_rows, 1)) {
        width = next_bucket_width(width);
        std::vector<BucketRow> merged;
        for (const auto& r : rows) {
            int64_t start = r.start_s - ((r.start_s % width) + width) % width;
            if (merged.empty() || merged.back().start_s != start)
                merged.push_back(BucketRow{start, 0, {}});
            merged.back().failures += r.failures;
            for (std::size_t i = 0; i < k_class_count; ++i)
                merged.back().classes[i] += r.classes[i];
        }
        rows = std::move(merged);
    }
    return {width, rows};
}

std::string width_name(int64_t w) {
    if (w % 86400 == 0) return w == 86400 ? "day" : fmt::format("{} days", w / 86400);
    if (w % 3600 == 0) return w == 3600 ? "hour" : fmt::format("{} hours", w / 3600);
    if (w % 60 == 0) return w == 60 ? "minute" : fmt::format("{} minutes", w / 60);
    return fmt::format("{} s", w);
}

nlohmann::ordered_json class_object(const ClassCounts& counts) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < k_class_count; ++i) {
        if (counts[i] > 0) out[std::string(class_id(static_cast<FailureClass>(i)))] = counts[i];
    }
    return out;
}

nlohmann::ordered_json time_or_null(const std::optional<int64_t>& t) {
    return t ? nlohmann::ordered_json(iso_time(*t)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    return out;
}

std::string headline(const LogSummary& s) {
    if (s.handshake_failures == 0) {
        return fmt::format("No TLS handshake failures in {}.", plural(s.lines, "line", "lines"));
    }
    std::string clients = s.clients_exact ? plural(s.clients_distinct, "client", "clients")
                                          : fmt::format("about {} clients", s.clients_distinct);
    std::string text = fmt::format(
        "{} from {}", plural(s.handshake_failures, "handshake failure", "handshake failures"),
        clients);
    if (const ClassRow* top = top_failure(s)) {
        text += fmt::format(
            "; most: {} ({} of {}, {:.0f}%)", class_title(top->failure_class), top->count,
            s.handshake_failures,
            100.0 * static_cast<double>(top->count) / static_cast<double>(s.handshake_failures));
    }
    return text + ".";
}

void write_text(std::ostream& out, const LogSummary& s, const TextOptions& options) {
    out << headline(s) << "\n";
    if (const ClassRow* top = top_failure(s))
        out << "  " << class_explanation(top->failure_class) << "\n";
    const uint64_t verbose = s.levels[static_cast<std::size_t>(Level::info)] +
                             s.levels[static_cast<std::size_t>(Level::debug)];
    if (s.entries > 0 && verbose == 0) {
        out << "  Note: no [info] entries in this log. nginx writes handshake failures at level "
               "info; set\n"
               "  `error_log FILE info;` to see them.\n";
    }
    std::string names;
    for (const auto& in : s.inputs) names += (names.empty() ? "" : ", ") + printable(in.name);
    out << fmt::format("\nRead {} from {} ({}); {} entries", plural(s.lines, "line", "lines"),
                       plural(s.inputs.size(), "input", "inputs"), names, s.entries);
    if (s.first_s)
        out << fmt::format(", {} .. {}", format_time(*s.first_s),
                           format_time(s.last_s.value_or(0)));
    if (s.filtered_out > 0) out << fmt::format("; {} left out by the filters", s.filtered_out);
    out << ".\n";

    if (!s.class_rows.empty()) {
        out << fmt::format("\n{:<26} {:>9} {:>7}  {}\n", "class", "count", "share", "reasons");
        for (const auto& row : s.class_rows) {
            const bool failure = is_handshake_failure(row.failure_class);
            std::string share =
                failure ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(row.count) /
                                                     static_cast<double>(s.handshake_failures))
                        : "";
            out << fmt::format("{:<26} {:>9} {:>7}  {}\n", class_id(row.failure_class), row.count,
                               share, reasons_text(row, 3));
            if (row.failure_class != FailureClass::other) {
                out << "    " << class_explanation(row.failure_class) << "\n";
            }
        }
    }

    if (!s.clients.empty()) {
        std::size_t shown = std::min(options.top_clients, s.clients.size());
        out << fmt::format("\nclients (top {} of {}{})\n", shown, s.clients_exact ? "" : "about ",
                           s.clients_distinct);
        out << fmt::format("{:<40} {:>9}  {:<30} {:<19}  {}\n", "address", "failures", "main class",
                           "first seen", "last seen");
        uint64_t shown_failures = 0;
        for (std::size_t i = 0; i < shown; ++i) {
            const auto& c = s.clients[i];
            shown_failures += c.failures;
            FailureClass cls = main_class(c);
            std::string count =
                c.overcount > 0 ? fmt::format("<={}", c.failures) : fmt::format("{}", c.failures);
            out << fmt::format("{:<40} {:>9}  {:<30} {:<19}  {}\n", printable(c.address), count,
                               fmt::format("{} {}", class_id(cls), c.classes[index(cls)]),
                               format_time(c.first_s), format_time(c.last_s));
        }
        if (shown_failures < s.handshake_failures) {
            out << fmt::format("{:<40} {:>9}\n", "(other clients)",
                               s.handshake_failures - shown_failures);
        }
    }

    if (!s.buckets.empty()) {
        auto [width, rows] = fit_buckets(s, options.max_bucket_rows);
        uint64_t peak = 1;
        for (const auto& r : rows) peak = std::max(peak, r.failures);
        out << fmt::format("\nhandshake failures per {}\n", width_name(width));
        for (const auto& r : rows) {
            std::string when = format_time(r.start_s).substr(0, width % 60 == 0 ? 16 : 19);
            auto bar = static_cast<std::size_t>((r.failures * 40 + peak - 1) / peak);
            out << fmt::format("{:<19} {:>9}  {}\n", when, r.failures, std::string(bar, '#'));
        }
    }

    std::string anomalies;
    for (std::size_t i = 1; i < k_anomaly_count; ++i) {
        if (s.anomalies[i] == 0) continue;
        anomalies += fmt::format("{}{} {}", anomalies.empty() ? "" : ", ", s.anomalies[i],
                                 anomaly_name(static_cast<LineAnomaly>(i)));
    }
    out << "\nlines that are not log entries: " << (anomalies.empty() ? "none" : anomalies) << "\n";
    for (const auto& in : s.inputs) {
        if (in.error) out << "warning: " << printable(*in.error) << "\n";
    }
}

void write_json(std::ostream& out, const LogSummary& s, std::size_t top_clients) {
    using json = nlohmann::ordered_json;
    json doc;
    doc["schema_version"] = 1;
    doc["command"] = "logs";
    doc["headline"] = headline(s);
    json inputs = json::array();
    for (const auto& in : s.inputs) {
        inputs.push_back({{"name", in.name},
                          {"lines", in.lines},
                          {"compressed", in.compressed},
                          {"error", in.error ? json(*in.error) : json(nullptr)}});
    }
    doc["inputs"] = inputs;
    json anomalies = json::object();
    for (std::size_t i = 1; i < k_anomaly_count; ++i) {
        anomalies[std::string(anomaly_name(static_cast<LineAnomaly>(i)))] = s.anomalies[i];
    }
    doc["lines"] = {{"total", s.lines},
                    {"entries", s.entries},
                    {"filtered_out", s.filtered_out},
                    {"anomalies", anomalies}};
    json levels = json::object();
    for (std::size_t i = 0; i < k_level_count; ++i)
        levels[std::string(level_name(static_cast<Level>(i)))] = s.levels[i];
    doc["levels"] = levels;
    doc["first_seen"] = time_or_null(s.first_s);
    doc["last_seen"] = time_or_null(s.last_s);
    doc["handshake_failures"] = s.handshake_failures;
    doc["clients_distinct"] = s.clients_distinct;
    doc["clients_exact"] = s.clients_exact;
    json counts = json::object();
    for (std::size_t i = 0; i < k_class_count; ++i)
        counts[std::string(class_id(static_cast<FailureClass>(i)))] = s.classes[i];
    doc["class_counts"] = counts;
    json classes = json::array();
    for (const auto& row : s.class_rows) {
        const bool failure = is_handshake_failure(row.failure_class);
        json reasons = json::array();
        for (const auto& r : row.reasons)
            reasons.push_back({{"reason", r.reason}, {"count", r.count}});
        classes.push_back({{"id", class_id(row.failure_class)},
                           {"title", class_title(row.failure_class)},
                           {"handshake_failure", failure},
                           {"count", row.count},
                           {"share", failure ? json(static_cast<double>(row.count) /
                                                    static_cast<double>(s.handshake_failures))
                                             : json(nullptr)},
                           {"explanation", class_explanation(row.failure_class)},
                           {"reasons", reasons}});
    }
    doc["classes"] = classes;
    json clients = json::array();
    uint64_t shown_failures = 0;
    for (std::size_t i = 0; i < s.clients.size() && i < top_clients; ++i) {
        const auto& c = s.clients[i];
        shown_failures += c.failures;
        clients.push_back({{"address", c.address},
                           {"failures", c.failures},
                           {"overcount", c.overcount},
                           {"classes", class_object(c.classes)},
                           {"first_seen", iso_time(c.first_s)},
                           {"last_seen", iso_time(c.last_s)}});
    }
    doc["clients"] = clients;
    doc["other_clients_failures"] =
        s.handshake_failures - std::min(shown_failures, s.handshake_failures);
    json items = json::array();
    for (const auto& b : s.buckets) {
        items.push_back({{"start", iso_time(b.start_s)},
                         {"failures", b.failures},
                         {"classes", class_object(b.classes)}});
    }
    doc["buckets"] = {{"width_s", s.bucket_s}, {"items", items}};
    out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace sniprobe::logs
