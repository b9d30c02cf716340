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
  const unsigned flags =
      (permission ? FAN_CLASS_CONTENT : FAN_CLASS_NOTIF) | FAN_CLOEXEC | FAN_NONBLOCK;
  // O_NOATIME would be refused on files we do not own without CAP_FOWNER.
  const int fd = fanotify_init(flags, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fd < 0) return Fail(Error::FromErrno(errno, "fanotify_init"));
  return FanGroup(fd, permission);
}

Expected<void> FanGroup::MarkDir(const std::string& dir) {
  const uint64_t mask =
      (permission_ ? FAN_OPEN_EXEC_PERM : FAN_CLOSE_WRITE) | FAN_EVENT_ON_CHILD;
  if (fanotify_mark(fd_, FAN_MARK_ADD | FAN_MARK_ONLYDIR | FAN_MARK_DONT_FOLLOW, mask, AT_FDCWD,
                    dir.c_str()) != 0) {
    return Fail(Error::FromErrno(errno, "fanotify_mark " + dir));
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
    ssize_t len = n;
    for (auto* m = reinterpret_cast<fanotify_event_metadata*>(buf); FAN_EVENT_OK(m, len);
         m = FAN_EVENT_NEXT(m, len)) {
      if (m->vers != FANOTIFY_METADATA_VERSION) return Fail(Error::Internal("fanotify ABI"));
      FileEvent e;
      e.fd = m->fd;
      e.pid = m->pid;
      e.mask = m->mask;
      if (m->fd >= 0) {
        char link[64];
        std::snprintf(link, sizeof link, "/proc/self/fd/%d", m->fd);
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

NewDirs::~NewDirs() {
  if (fd_ >= 0) close(fd_);
}

Expected<NewDirs> NewDirs::Open() {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Fail(Error::FromErrno(errno, "inotify_init1"));
  return NewDirs(fd);
}

Expected<void> NewDirs::Watch(const std::string& dir) {
  const int wd =
      inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW);
  if (wd < 0) return Fail(Error::FromErrno(errno, "inotify_add_watch " + dir));
  dirs_[wd] = dir;
  return {};
}

void NewDirs::Read(std::vector<std::string>& out) {
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
      if ((ev.mask & IN_ISDIR) == 0 || ev.len == 0) continue;
      const auto it = dirs_.find(ev.wd);
      if (it != dirs_.end()) out.push_back(it->second + "/" + std::string(name, strnlen(name, ev.len)));
    }
  }
}

}  // namespace deminer
