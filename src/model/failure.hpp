// How a probe failed, in OONI's vocabulary ("connection_reset", "generic_timeout_error",
// "ssl_invalid_hostname", ...), so people who know OONI's data feel at home. OONI's set
// is open: the probe also writes "unknown_failure: <strerror>", and a JSON file read back
// may hold a string this build has never heard of. So a Failure is an enum of the
// strings the rules reason about plus `other`, and an `other` keeps its text verbatim:
// the rules compare codes, never text, and reading then writing a report reproduces
// every failure byte for byte. `none` (text "") is success.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "model/names.hpp"

namespace sniprobe {

// The OONI failure strings this build knows (names.cpp holds their text).
enum class FailureCode {
    none,  // success
    connection_refused,
    connection_reset,
    connection_aborted,
    generic_timeout_error,
    eof_error,
    host_unreachable,
    network_unreachable,
    address_not_available,
    ssl_invalid_hostname,
    ssl_unknown_authority,
    ssl_invalid_certificate,
    ssl_failed_handshake,
    other,  // any other string, kept verbatim in Failure::text()
};

// One failure: a code, and the verbatim text when the code is `other`.
class Failure {
  public:
    Failure() = default;
    // A known failure (not `other`: an unknown one needs its text, see from_text).
    Failure(FailureCode code);  // NOLINT(google-explicit-constructor): a code is a failure
    // The failure an OONI string names: "" is none, a known string its code, else other.
    static Failure from_text(std::string_view text);

    FailureCode code() const { return m_code; }
    // The OONI string, exactly as produced or read ("" for none).
    std::string_view text() const;
    bool empty() const { return m_code == FailureCode::none; }

    friend bool operator==(const Failure& a, const Failure& b) {
        return a.m_code == b.m_code && a.m_other_text == b.m_other_text;
    }
    friend bool operator==(const Failure& a, FailureCode code) { return a.m_code == code; }

  private:
    FailureCode m_code = FailureCode::none;
    std::string m_other_text;  // only for FailureCode::other
};

// Prints the OONI string (for test and log messages).
std::ostream& operator<<(std::ostream& out, const Failure& failure);

}  // namespace sniprobe
