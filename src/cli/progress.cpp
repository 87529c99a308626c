// Progress line; see progress.hpp. Writes to stderr, \r to redraw.
#include "cli/progress.hpp"

#include <unistd.h>

#include <fmt/core.h>

#include <cstdio>

namespace sniprobe::cli {

Progress::Progress(std::string label, int total, Mode mode)
    : m_label(std::move(label)),
      m_total(total),
      m_enabled(mode == Mode::auto_detect && ::isatty(STDERR_FILENO)),
      m_started(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
    finish();
}

void Progress::update(int done, int total) {
    if (!m_enabled) return;
    m_total = total;
    auto now = std::chrono::steady_clock::now();
    if (m_drawn && done < total && now - m_last_draw < std::chrono::milliseconds(100)) return;
    m_last_draw = now;
    double elapsed_s = std::chrono::duration<double>(now - m_started).count();
    fmt::print(stderr, "\r\033[K{} {}/{} ({:.1f} s)", m_label, done, m_total, elapsed_s);
    std::fflush(stderr);
    m_drawn = true;
}

void Progress::finish() {
    if (!m_enabled || !m_drawn) return;
    fmt::print(stderr, "\r\033[K");
    std::fflush(stderr);
    m_drawn = false;
}

}  // namespace sniprobe::cli
