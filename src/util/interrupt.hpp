// Ctrl-C and SIGTERM as data: the handler only sets a flag and writes to a pipe, so
// event loops can add interrupt_fd() to their epoll set and long operations can check
// interrupted() between steps, then clean up (lab namespaces, capture handles) and exit.
#pragma once

namespace sniprobe {

// Installs the SIGINT/SIGTERM/SIGHUP handler (idempotent). Process-wide: only the
// command line calls it, once, before running a command; library code only reads the flag.
void install_interrupt_handler();

// True once a stop signal arrived.
bool interrupted();

// The signal number that arrived (0 if none); main exits with 128 + this.
int interrupt_signal();

// A descriptor that becomes readable when a stop signal arrives (for epoll).
int interrupt_fd();

}  // namespace sniprobe
