// The socket side of a probe: a fresh non-blocking TCP socket per trial, bound to its own
// ephemeral port before connect() so the capture can be told the port before the SYN
// leaves; TCP_NODELAY so each write of a split hello leaves as its own segment; SO_LINGER
// {1,0} so close() sends RST instead of parking the port in TIME_WAIT (thousands of scan
// probes would otherwise exhaust the port range). Errnos become OONI failure strings here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace sniprobe {

// A socket opened for one trial.
struct ProbeSocket {
    Fd fd;
    uint16_t local_port = 0;
};

// Opens the socket for `address` (IPv4 or IPv6 literal) and, with bind_now, binds it so
// local_port is known before connect() (else it stays 0 and connect() picks the port,
// two system calls fewer); mss > 0 clamps the MSS we announce and use (TCP_MAXSEG, set
// before connect()). nodelay sets TCP_NODELAY, which a trial needs when it writes twice
// in a row (a split hello, a Finished then a close_notify); a trial whose only data is
// one write on a fresh connection goes out the same without it (Nagle holds back a
// small segment only while an earlier small one is unacknowledged), one system call fewer.
Result<ProbeSocket> open_probe_socket(const std::string& address, int mss = 0, bool bind_now = true,
                                      bool nodelay = true);

// Starts a non-blocking connect: 0 when already connected, EINPROGRESS when pending,
// else the errno of the failure.
int start_connect(int fd, const std::string& address, uint16_t port);

// The pending error on the socket (SO_ERROR), 0 when none.
int socket_error(int fd);

// Data-carrying segments the kernel has sent on this socket (TCP_INFO), if known.
std::optional<uint32_t> data_segments_sent(int fd);

// OONI failure string for an errno ("connection_reset", "connection_refused", ...).
std::string failure_from_errno(int err);

}  // namespace sniprobe
