// Self-pipe signal handling; see interrupt.hpp. Only async-signal-safe calls in the
// handler: a store to a lock-free atomic and write(2).
#include "util/interrupt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace sniprobe {
namespace {

std::atomic<int> g_signal{0};
int g_pipe[2] = {-1, -1};

void on_signal(int sig) {
    int saved = errno;
    g_signal.store(sig);
    if (g_pipe[1] >= 0) {
        char c = 1;
        [[maybe_unused]] auto n = ::write(g_pipe[1], &c, 1);
    }
    errno = saved;
}

}  // namespace

void install_interrupt_handler() {
    static bool installed = false;
    if (installed) return;
    installed = true;
    if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR and can check the flag
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGHUP, &sa, nullptr);
}

bool interrupted() {
    return g_signal.load() != 0;
}

int interrupt_signal() {
    return g_signal.load();
}

int interrupt_fd() {
    return g_pipe[0];
}

}  // namespace sniprobe
