// File events from fanotify: files written and closed in the watched dirs
// (temp dirs, persistence dirs, containers' /tmp), and optionally exec
// permission events that the daemon answers allow or deny. Marks are inode
// marks with FAN_EVENT_ON_CHILD, so only the watched dirs' own entries raise
// events, not every write on the file system; subdirectories are marked as
// the daemon finds them. Needs CAP_SYS_ADMIN.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"

namespace deminer {

struct FileEvent {
  int fd = -1;  // the file, opened by the kernel for us; owned by the event
  int pid = 0;  // the process that wrote or is executing it
  uint64_t mask = 0;
  std::string path;  // as this daemon's mount namespace resolves the fd

  FileEvent() = default;
  FileEvent(FileEvent&& o) noexcept;
  FileEvent& operator=(FileEvent&& o) noexcept;
  FileEvent(const FileEvent&) = delete;
  FileEvent& operator=(const FileEvent&) = delete;
  ~FileEvent();
};

// An owned fanotify group. `permission`: a FAN_CLASS_CONTENT group for exec
// permission events, which must each be answered (Answer) or the executing
// process waits; otherwise a notification group for writes.
class FanGroup {
 public:
  static Expected<FanGroup> Open(bool permission);
  FanGroup(FanGroup&& other) noexcept : fd_(other.fd_), permission_(other.permission_) {
    other.fd_ = -1;
  }
  FanGroup& operator=(FanGroup&&) = delete;
  FanGroup(const FanGroup&) = delete;
  FanGroup& operator=(const FanGroup&) = delete;
  ~FanGroup();

  int fd() const { return fd_; }
  // Marks a directory: its entries' writes (FAN_CLOSE_WRITE), or, on a
  // permission group, their execs (FAN_OPEN_EXEC_PERM).
  Expected<void> MarkDir(const std::string& dir);
  // Marks the whole file system `path` is on, for exec permission events
  // (a permission group only): every exec from it is asked.
  Expected<void> MarkFilesystemExec(const std::string& path);
  // Tells the kernel not to ask again about execs of the event's file until
  // it is modified (an ignore mask on its inode, cleared by a write).
  Expected<void> IgnoreExecsOf(const FileEvent& event);
  // Reads the waiting events (non-blocking); none when nothing waits.
  Expected<void> Read(std::vector<FileEvent>& out);
  // Answers a permission event. Safe from the one thread that reads.
  void Answer(const FileEvent& event, bool allow);

 private:
  FanGroup(int fd, bool permission) : fd_(fd), permission_(permission) {}
  int fd_ = -1;
  bool permission_ = false;
};

// Entries created in watched dirs, from inotify. fanotify inode marks do not
// reach a new subdirectory, so the daemon marks it as soon as it is told of
// it (an exec in the instant between is still seen by the exec events).
// With `files`, also files closed after writing or moved in: the fallback
// for file drops where fanotify is not allowed (no writer pid then).
struct DirEvent {
  std::string path;  // the watched dir's path + the entry's name
  bool dir = false;  // a directory created or moved in; else a file written
};

class DirEvents {
 public:
  static Expected<DirEvents> Open(bool files);
  DirEvents(DirEvents&& other) noexcept
      : fd_(other.fd_), files_(other.files_), dirs_(std::move(other.dirs_)) {
    other.fd_ = -1;
  }
  DirEvents& operator=(DirEvents&&) = delete;
  DirEvents(const DirEvents&) = delete;
  DirEvents& operator=(const DirEvents&) = delete;
  ~DirEvents();

  int fd() const { return fd_; }
  Expected<void> Watch(const std::string& dir);
  // Appends what happened since the last read.
  void Read(std::vector<DirEvent>& out);

 private:
  DirEvents(int fd, bool files) : fd_(fd), files_(files) {}
  int fd_ = -1;
  bool files_ = false;
  std::map<int, std::string> dirs_;  // watch descriptor -> path
};

}  // namespace deminer
