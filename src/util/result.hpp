// Result<T>: the return type of every operation that can fail in an expected way.
// Network failures are data (a trial's `failure` string), not errors; Result is for
// local problems a caller can handle (a file that does not parse, a socket call that
// fails). Every Error carries a code saying what kind of failure it is, so callers decide
// by the code, never by the words of the message; the command line maps codes to exit
// statuses in one place (cli/exit_status.hpp). `Fatal` carries an Error out of code
// that cannot return one (a command's body, an event loop): it is caught once in the
// command line and printed as a single line that says what to do.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace sniprobe {

// What kind of failure an Error is: the distinctions callers act on.
enum class ErrorCode {
    failed,      // could not do it, nothing more specific to say (the default)
    usage,       // the user asked for something invalid: a bad flag value, a bad input file
    permission,  // the process lacks a privilege or capability (root, CAP_NET_RAW, ...)
    not_found,   // a named thing does not exist (file, interface, instance, profile)
    parse,       // a document or record is malformed
    io,          // a system call or file operation failed
};

// Why an operation failed, in words a user can act on, and the kind of failure.
// `Error{message}` still builds one with the default code.
struct Error {
    std::string message;
    ErrorCode code = ErrorCode::failed;
};

// The value, or the Error that prevented it.
template <class T>
using Result = tl::expected<T, Error>;

// Builds the failure side of a Result: `return fail(ErrorCode::usage, "bad port");`.
inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
    return tl::unexpected<Error>(Error{std::move(message), code});
}

// The same with the default code, for failures no caller tells apart.
inline tl::unexpected<Error> fail(std::string message) {
    return fail(ErrorCode::failed, std::move(message));
}

// The same Error with context put in front of its message; the code is kept.
inline Error with_context(const std::string& context, Error error) {
    error.message = context + error.message;
    return error;
}

// An Error thrown out of code that does not return a Result (a command's body, the probe
// event loop). Never thrown inside a function that returns a Result.
class Fatal : public std::runtime_error {
  public:
    explicit Fatal(Error error) : std::runtime_error(error.message), m_error(std::move(error)) {}
    Fatal(ErrorCode code, const std::string& message) : Fatal(Error{message, code}) {}
    const Error& error() const { return m_error; }
    ErrorCode code() const { return m_error.code; }

  private:
    Error m_error;
};

// A usage error (the command line exits 2).
inline Fatal usage_error(const std::string& message) {
    return Fatal(ErrorCode::usage, message);
}

}  // namespace sniprobe
