// Process exec, fork and exit events from the kernel's process events
// connector (NETLINK_CONNECTOR, CN_IDX_PROC): the kernel multicasts one
// message a event, so the daemon learns of an exec within microseconds and
// never polls /proc. Needs CAP_NET_ADMIN in the initial user namespace.
// Written against <linux/cn_proc.h> directly: one subscribe message and one
// event struct, which no library (libnl) would make shorter.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.h"

namespace deminer {

struct ProcEvent {
  enum class What { kFork, kExec, kExit };
  What what = What::kExec;
  int pid = 0;      // the thread group (process) the event is about
  int parent = 0;   // fork: the parent process
  uint64_t ns = 0;  // kernel timestamp (CLOCK_MONOTONIC, nanoseconds)
};

// An owned, subscribed connector socket. Not thread-safe per object.
class ProcEvents {
 public:
  static Expected<ProcEvents> Open();
  ProcEvents(ProcEvents&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ProcEvents& operator=(ProcEvents&& other) noexcept;
  ProcEvents(const ProcEvents&) = delete;
  ProcEvents& operator=(const ProcEvents&) = delete;
  ~ProcEvents();

  int fd() const { return fd_; }  // non-blocking, for poll
  // Appends the events waiting on the socket (none when nothing waits).
  // Threads' forks and execs are folded into their process; an ENOBUFS (the
  // kernel dropped events because we were slow) is returned as an error after
  // the events read so far, so the caller can re-sweep /proc.
  Expected<void> Read(std::vector<ProcEvent>& out);

 private:
  explicit ProcEvents(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Parses one netlink datagram of the connector. Pure; exposed for fuzzing.
void ParseProcEvents(const char* data, size_t size, std::vector<ProcEvent>& out);

}  // namespace deminer
