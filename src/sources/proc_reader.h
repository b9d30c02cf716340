// Reads every process under a proc root (normally "/proc") into Process facts,
// in parallel. Processes that vanish mid-read are dropped silently (they are no
// longer there to judge); files the OS refuses become one aggregated Gap each,
// naming the capability that would have opened them.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "sources/facts.h"

namespace deminer {

struct ProcSweepOptions {
  std::string proc_root = "/proc";
  unsigned threads = 0;  // 0: one per core, plus one
  // The scanner's own mount namespace: /proc/PID/cgroup is read only for
  // processes in another one (every container has its own), which keeps the
  // sweep to a few syscalls a host process. 0 reads cgroup for all.
  uint64_t own_mntns = 0;
};

struct ProcSweep {
  std::vector<Process> processes;  // sorted by pid
  std::vector<Gap> gaps;
};

// Fails only when the proc root itself cannot be listed.
Expected<ProcSweep> SweepProcesses(const ProcSweepOptions& options);

// One process, read as the sweep reads it (for the watch daemon's exec events);
// none when it is gone or unreadable. `with_fds` false skips the fd table
// (sockets, msr devices): the first look at an exec does not need it.
std::optional<Process> ReadOneProcess(const std::string& proc_root, int pid, uint64_t own_mntns,
                                      bool with_fds = true);
// The same through an open directory fd of the proc root (saves its open).
std::optional<Process> ReadOneProcess(int procdir, int pid, uint64_t own_mntns, bool with_fds);

// Host facts: hostname, kernel, clock, boot time, huge pages, msr driver.
// `root` is the file system root ("/" live); missing files leave fields unset.
HostInfo ReadHostInfo(const std::string& root);

// What each open file descriptor of a process points to (fd number, the
// readlink of /proc/PID/fd/N), by fd number; an error when the fd table
// cannot be listed (another user's process without root).
Expected<std::vector<std::pair<int, std::string>>> ReadFdTargets(const std::string& proc_root,
                                                                 int pid);

// Reads a small file whole (bounded by max_bytes). Used by sources only.
Expected<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);

}  // namespace deminer
