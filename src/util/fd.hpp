// Fd: owns one file descriptor and closes it exactly once. Sockets, epoll, signalfd,
// raw sockets and pipes all pass through this type so no error path leaks a descriptor.
#pragma once

#include <unistd.h>

#include <utility>

namespace sniprobe {

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) reset(std::exchange(other.m_fd, -1));
        return *this;
    }
    ~Fd() { reset(); }

    // The descriptor, still owned.
    int get() const { return m_fd; }
    // True when a descriptor is held.
    explicit operator bool() const { return m_fd >= 0; }
    // Gives up ownership without closing.
    int release() { return std::exchange(m_fd, -1); }
    // Closes the current descriptor (if any) and takes `fd`.
    void reset(int fd = -1) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = fd;
    }

  private:
    int m_fd = -1;
};

}  // namespace sniprobe
