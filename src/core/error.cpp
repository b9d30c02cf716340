#include "core/error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace deminer {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kPermissionDenied:
      return "permission denied";
    case ErrorCode::kInvalidInput:
      return "invalid input";
    case ErrorCode::kIo:
      return "i/o error";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

Error Error::FromErrno(int err, std::string_view what) {
  std::string msg = fmt::format("{}: {}", what, std::strerror(err));
  switch (err) {
    case ENOENT:
    case ESRCH:
    case ENOTDIR:
      return NotFound(std::move(msg));
    case EACCES:
    case EPERM:
      return PermissionDenied(std::move(msg));
    case EINVAL:
      return InvalidInput(std::move(msg));
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ETIMEDOUT:
      return Unavailable(std::move(msg));
    default:
      return Io(std::move(msg));
  }
}

}  // namespace deminer
