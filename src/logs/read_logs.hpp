// The whole of `sniprobe logs` below the command line: open every input first (so a typo
// in the fifth file name fails before four files were read), then stream them line by line
// through parse_error_line into one Aggregator. Memory does not grow with the input.
#pragma once

#include <string>
#include <vector>

#include "logs/aggregate.hpp"
#include "util/result.hpp"

namespace sniprobe::logs {

// Reads `paths` ("-" = stdin) in order. Fails only when an input cannot be opened; an input
// that stops early (damaged .gz, I/O error) is summarised up to that point and carries its
// error in LogSummary::inputs. Stops early, with what was read, on Ctrl-C.
Result<LogSummary> read_logs(const std::vector<std::string>& paths,
                             const AggregateOptions& options);

}  // namespace sniprobe::logs
