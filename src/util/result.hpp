// Result<T>: the return type of every operation that can fail in an expected way.
// Network failures are data (a trial's `failure` string), not errors; Result is for
// local problems a caller can handle (a file that does not parse, a socket call that
// fails). `Fatal` is the one exception: a user error, caught once in main and printed
// as a single line that says what to do.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace sniprobe {

// Why an operation failed, in words a user can act on.
struct Error {
    std::string message;
};

// The value, or the Error that prevented it.
template <class T>
using Result = tl::expected<T, Error>;

// Builds the failure side of a Result: `return fail("bad port {}", p);` with fmt args
// is in util/format.hpp; this overload takes a finished message.
inline tl::unexpected<Error> fail(std::string message) {
    return tl::unexpected<Error>(Error{std::move(message)});
}

// A user error (bad input, missing privilege): main prints what() and exits with code().
class Fatal : public std::runtime_error {
public:
    // exit_code: 2 usage error, 3 could not run (DESIGN: diagnose's exit statuses).
    explicit Fatal(const std::string& message, int exit_code = 3)
        : std::runtime_error(message), m_exit_code(exit_code) {}
    int code() const { return m_exit_code; }

private:
    int m_exit_code;
};

// A usage error: exit status 2.
inline Fatal usage_error(const std::string& message) { return Fatal(message, 2); }

}  // namespace sniprobe
