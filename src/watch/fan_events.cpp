#include "watch/fan_events.h"

#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace deminer {

FileEvent::FileEvent(FileEvent&& o) noexcept
    : fd(o.fd), pid(o.pid), mask(o.mask), path(std::move(o.path)) {
  o.fd = -1;
}

FileEvent& FileEvent::operator=(FileEvent&& o) noexcept {
  if (this != &o) {
    if (fd >= 0) close(fd);
    fd = o.fd;
    pid = o.pid;
    mask = o.mask;
    path = std::move(o.path);
    o.fd = -1;
  }
  return *this;
}

FileEvent::~FileEvent() {
  if (fd >= 0) close(fd);
}

FanGroup::~FanGroup() {
  if (fd_ >= 0) close(fd_);
}

Expected<FanGroup> FanGroup::Open(bool permission) {
  // Unlimited marks: a permission group keeps an ignore mark for each
  // program judged clean, so the kernel does not ask about it again.
  const unsigned flags = (permission ? FAN_CLASS_CONTENT | FAN_UNLIMITED_MARKS : FAN_CLASS_NOTIF) |
                         FAN_CLOEXEC | FAN_NONBLOCK;
  // O_NOATIME would be refused on files we do not own without CAP_FOWNER.
  const int fd = fanotify_init(flags, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fd < 0) return Fail(Error::FromErrno(errno, "fanotify_init"));
  return FanGroup(fd, permission);
}

Expected<void> FanGroup::MarkDir(const std::string& dir) {
  const uint64_t mask = (permission_ ? FAN_OPEN_EXEC_PERM : FAN_CLOSE_WRITE) | FAN_EVENT_ON_CHILD;
  if (fanotify_mark(fd_, FAN_MARK_ADD | FAN_MARK_ONLYDIR | FAN_MARK_DONT_FOLLOW, mask, AT_FDCWD,
                    dir.c_str()) != 0) {
    return Fail(Error::FromErrno(errno, "fanotify_mark " + dir));
  }
  return {};
}

Expected<void> FanGroup::MarkFilesystemExec(const std::string& path) {
  if (!permission_) return Fail(Error::InvalidInput("not a permission group"));
  if (fanotify_mark(fd_, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC_PERM, AT_FDCWD,
                    path.c_str()) != 0) {
    return Fail(Error::FromErrno(errno, "fanotify_mark (file system) " + path));
  }
  return {};
}

Expected<void> FanGroup::IgnoreExecsOf(const FileEvent& event) {
  if (fanotify_mark(fd_, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK, FAN_OPEN_EXEC_PERM, event.fd,
                    nullptr) != 0) {
    return Fail(Error::FromErrno(errno, "fanotify ignore mark"));
  }
  return {};
}

Expected<void> FanGroup::Read(std::vector<FileEvent>& out) {
  alignas(fanotify_event_metadata) char buf[16384];
  while (true) {
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {};
      return Fail(Error::FromErrno(errno, "read fanotify events"));
    }
    if (n == 0) return {};
    // Record by record with memcpy: the kernel's macros cast char* to the
    // 8-byte-aligned metadata struct.
    for (size_t at = 0; at + sizeof(fanotify_event_metadata) <= static_cast<size_t>(n);) {
      fanotify_event_metadata m{};
      std::memcpy(&m, buf + at, sizeof m);
      if (m.event_len < sizeof m || at + m.event_len > static_cast<size_t>(n)) break;
      at += m.event_len;
      FileEvent e;  // owns the fd from here on
      e.fd = m.fd;
      if (m.vers != FANOTIFY_METADATA_VERSION) return Fail(Error::Internal("fanotify ABI"));
      e.pid = m.pid;
      e.mask = m.mask;
      if (m.fd >= 0) {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/self/fd/%d", m.fd);
        char path[4096];
        const ssize_t k = readlink(link, path, sizeof path);
        if (k > 0) e.path.assign(path, static_cast<size_t>(k));
      }
      out.push_back(std::move(e));
    }
  }
}

void FanGroup::Answer(const FileEvent& event, bool allow) {
  fanotify_response r{};
  r.fd = event.fd;
  r.response = allow ? FAN_ALLOW : FAN_DENY;
  // A failed write leaves the kernel to time out; nothing else to do.
  [[maybe_unused]] const ssize_t n = write(fd_, &r, sizeof r);
}

DirEvents::~DirEvents() {
  if (fd_ >= 0) close(fd_);
}

Expected<DirEvents> DirEvents::Open(bool files) {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Fail(Error::FromErrno(errno, "inotify_init1"));
  return DirEvents(fd, files);
}

Expected<void> DirEvents::Watch(const std::string& dir) {
  uint32_t mask = IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW;
  if (files_) mask |= IN_CLOSE_WRITE;
  const int wd = inotify_add_watch(fd_, dir.c_str(), mask);
  if (wd < 0) return Fail(Error::FromErrno(errno, "inotify_add_watch " + dir));
  dirs_[wd] = dir;
  return {};
}

void DirEvents::Read(std::vector<DirEvent>& out) {
  alignas(inotify_event) char buf[8192];
  while (true) {
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) return;
    for (ssize_t at = 0; at + static_cast<ssize_t>(sizeof(inotify_event)) <= n;) {
      inotify_event ev{};
      std::memcpy(&ev, buf + at, sizeof ev);
      const char* name = buf + at + sizeof(inotify_event);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev.len);
      if ((ev.mask & IN_IGNORED) != 0) {
        dirs_.erase(ev.wd);
        continue;
      }
      if (ev.len == 0) continue;
      const bool dir = (ev.mask & IN_ISDIR) != 0;
      const bool file_written = !dir && (ev.mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) != 0;
      if (!dir && !(files_ && file_written)) continue;
      const auto it = dirs_.find(ev.wd);
      if (it == dirs_.end()) continue;
      out.push_back({it->second + "/" + std::string(name, strnlen(name, ev.len)), dir});
    }
  }
}

}  // namespace deminer
