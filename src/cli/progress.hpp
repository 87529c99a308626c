// A one-line progress display on stderr ("probing 37/90"), redrawn in place on a TTY
// and silent elsewhere, so logs and pipes stay clean. Rate-limited to ~10 redraws/s.
#pragma once

#include <chrono>
#include <string>

namespace sniprobe::cli {

class Progress {
  public:
    enum class Mode { auto_detect, quiet };

    // label: what is progressing ("probing"); total: expected units.
    Progress(std::string label, int total, Mode mode);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Shows done of total (redrawn at most every 100 ms, and always at the end).
    void update(int done, int total);
    // Clears the line.
    void finish();

  private:
    std::string m_label;
    int m_total;
    bool m_enabled;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_started, m_last_draw;
};

}  // namespace sniprobe::cli
