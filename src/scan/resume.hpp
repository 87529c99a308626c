// --resume: the output file of an interrupted scan says which targets are done, so a
// second run appends only the rest. The quirks: a run killed mid-write leaves a partial
// last line, which must be cut off (or the next record would be glued to it) and its
// target scanned again; and the set of done targets must stay small for a file of
// millions of lines, so it keeps 64-bit hashes of the keys, not the keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "util/result.hpp"

namespace sniprobe::scan {

// The identity of a target across runs: host, port and the address when it was given
// (a DNS answer may differ from run to run; the input line does not).
std::string resume_key(std::string_view host, uint16_t port, std::string_view given_ip);

// The targets already in an output file.
class DoneSet {
  public:
    // Records a key.
    void add(std::string_view key);
    // True when the key was recorded.
    bool contains(std::string_view key) const;
    size_t size() const { return m_hashes.size(); }

  private:
    std::unordered_set<uint64_t> m_hashes;
};

// What an existing output file holds.
struct ResumeState {
    DoneSet done;
    uint64_t complete_bytes = 0;  // length up to the end of the last complete line
    int records = 0;              // complete lines read as records
    int unreadable_lines = 0;     // complete lines that are not scan records (skipped)
    bool partial_last_line = false;
};

// Reads the records of `path` (a missing file is an empty state, not an error).
Result<ResumeState> load_resume_state(const std::string& path);

// Reads the key of one record line; nullopt when the line is not a scan record.
std::optional<std::string> record_key(std::string_view json_line);

// Cuts `path` to `bytes` (dropping a partial last line before appending).
Result<void> truncate_output(const std::string& path, uint64_t bytes);

}  // namespace sniprobe::scan
