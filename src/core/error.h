// Errors as values. Every fallible function in deminer returns Expected<T>:
// either the value or an Error with a small closed code and a message a person
// can act on. Only app/ turns errors into exit codes; exceptions thrown by
// third-party libraries are caught in the one adapter file that wraps each.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace deminer {

enum class ErrorCode {
  kNotFound,          // a file, process or object that is not there (or vanished)
  kPermissionDenied,  // the OS refused; usually a missing capability
  kInvalidInput,      // malformed data or arguments
  kIo,                // a read or write failed for another reason
  kUnavailable,       // a service (Docker API, netlink) could not be reached
  kInternal,          // a bug or an unexpected library failure
};

std::string_view ErrorCodeName(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Error NotFound(std::string msg) { return {ErrorCode::kNotFound, std::move(msg)}; }
  static Error PermissionDenied(std::string msg) {
    return {ErrorCode::kPermissionDenied, std::move(msg)};
  }
  static Error InvalidInput(std::string msg) { return {ErrorCode::kInvalidInput, std::move(msg)}; }
  static Error Io(std::string msg) { return {ErrorCode::kIo, std::move(msg)}; }
  static Error Unavailable(std::string msg) { return {ErrorCode::kUnavailable, std::move(msg)}; }
  static Error Internal(std::string msg) { return {ErrorCode::kInternal, std::move(msg)}; }
  // Maps an errno value from a failed syscall on `what` to the right code.
  static Error FromErrno(int err, std::string_view what);

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename T>
using Expected = std::expected<T, Error>;

inline std::unexpected<Error> Fail(Error e) { return std::unexpected<Error>(std::move(e)); }

}  // namespace deminer
