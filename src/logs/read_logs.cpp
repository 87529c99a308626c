// read_logs: the streaming loop. A cut (overlong) line is counted as an anomaly and not
// parsed: nginx never writes such a line, and its head could be mistaken for an entry.
#include "logs/read_logs.hpp"

#include "logs/line_reader.hpp"
#include "util/interrupt.hpp"

namespace sniprobe::logs {

Result<LogSummary> read_logs(const std::vector<std::string>& paths,
                             const AggregateOptions& options) {
    std::vector<LineReader> readers;
    readers.reserve(paths.size());
    for (const auto& path : paths) {
        auto reader = LineReader::open(path);
        if (!reader) return tl::unexpected(reader.error());
        readers.push_back(std::move(*reader));
    }
    Aggregator aggregator(options);
    for (auto& reader : readers) {
        InputRow input;
        input.name = reader.name();
        while (auto line = reader.next()) {
            ++input.lines;
            if (line->truncated) {
                ErrorLine cut;
                cut.anomaly = LineAnomaly::overlong;
                aggregator.add(cut);
            } else {
                aggregator.add(parse_error_line(line->text));
            }
            if ((input.lines & 0xffff) == 0 && interrupted()) break;
        }
        input.compressed = reader.compressed();
        input.error = reader.error();
        aggregator.add_input(std::move(input));
        if (interrupted()) break;
    }
    return aggregator.summary();
}

}  // namespace sniprobe::logs
