// PcapHandle: owns one libpcap handle (live or offline) and closes it exactly once.
// libpcap's headers stay out of our public headers: `struct pcap` is forward-declared
// here and only capture/*.cpp include <pcap/pcap.h>.
#pragma once

#include <utility>

struct pcap;  // libpcap's pcap_t

namespace sniprobe::capture {

class PcapHandle {
  public:
    PcapHandle() = default;
    explicit PcapHandle(pcap* handle) : m_handle(handle) {}
    PcapHandle(const PcapHandle&) = delete;
    PcapHandle& operator=(const PcapHandle&) = delete;
    PcapHandle(PcapHandle&& other) noexcept : m_handle(std::exchange(other.m_handle, nullptr)) {}
    PcapHandle& operator=(PcapHandle&& other) noexcept {
        if (this != &other) reset(std::exchange(other.m_handle, nullptr));
        return *this;
    }
    ~PcapHandle() { reset(); }

    // The handle, still owned (nullptr when empty).
    pcap* get() const { return m_handle; }
    // True when a handle is held.
    explicit operator bool() const { return m_handle != nullptr; }
    // Closes the current handle (if any) and takes `handle`.
    void reset(pcap* handle = nullptr);

  private:
    pcap* m_handle = nullptr;
};

}  // namespace sniprobe::capture
