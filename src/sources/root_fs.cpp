#include "sources/root_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace deminer {
namespace {

std::string Relative(const std::string& path) {
  size_t i = 0;
  while (i < path.size() && path[i] == '/') ++i;
  return i == path.size() ? "." : path.substr(i);
}

}  // namespace

Expected<RootFs> RootFs::Open(const std::string& root) {
  const int fd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::FromErrno(errno, root));
  return RootFs(root, fd);
}

RootFs::~RootFs() {
  if (fd_ >= 0) close(fd_);
}

RootFs::RootFs(RootFs&& other) noexcept : root_(std::move(other.root_)), fd_(other.fd_) {
  other.fd_ = -1;
}

std::string RootFs::HostPath(const std::string& path) const {
  if (root_ == "/") return path;
  return root_ + (path.starts_with('/') ? "" : "/") + path;
}

Expected<int> RootFs::OpenFd(const std::string& path, int flags, bool nofollow) const {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const std::string rel = Relative(path);
  long fd = syscall(SYS_openat2, fd_, rel.c_str(), &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) {
    // Kernels before 5.6: resolve as the host would, refusing a symlink at the end.
    fd = openat(fd_, rel.c_str(), flags | O_CLOEXEC | O_NOFOLLOW);
  }
  if (fd < 0) return Fail(Error::FromErrno(errno, HostPath(path)));
  return static_cast<int>(fd);
}

Expected<std::string> RootFs::Read(const std::string& path, size_t max_bytes) const {
  auto fd = OpenFd(path, O_RDONLY | O_NONBLOCK);
  if (!fd) return Fail(fd.error());
  struct stat st {};
  if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(*fd);
    return Fail(Error::InvalidInput(HostPath(path) + ": not a regular file"));
  }
  std::string out;
  out.resize(std::min<size_t>(static_cast<size_t>(st.st_size), max_bytes));
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = read(*fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(*fd);
  out.resize(got);
  return out;
}

Expected<struct stat> RootFs::Lstat(const std::string& path) const {
  const std::string rel = Relative(path);
  const size_t slash = rel.rfind('/');
  const std::string parent = slash == std::string::npos ? "." : rel.substr(0, slash);
  const std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  auto dir = OpenFd(parent, O_PATH | O_DIRECTORY);
  if (!dir) return Fail(dir.error());
  struct stat st {};
  const int rc = fstatat(*dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW);
  const int err = errno;
  close(*dir);
  if (rc != 0) return Fail(Error::FromErrno(err, HostPath(path)));
  return st;
}

Expected<std::string> RootFs::ReadLink(const std::string& path) const {
  auto fd = OpenFd(path, O_PATH, true);
  if (!fd) {
    // O_PATH|O_NOFOLLOW opens the link itself; ELOOP means a kernel without that.
    return Fail(fd.error());
  }
  char buf[4096];
  const ssize_t n = readlinkat(*fd, "", buf, sizeof buf);
  const int err = errno;
  close(*fd);
  if (n < 0) return Fail(Error::FromErrno(err, HostPath(path)));
  return std::string(buf, static_cast<size_t>(n));
}

Expected<std::vector<RootFs::DirEntry>> RootFs::List(const std::string& dir) const {
  auto fd = OpenFd(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return Fail(fd.error());
  DIR* d = fdopendir(*fd);
  if (d == nullptr) {
    const int err = errno;
    close(*fd);
    return Fail(Error::FromErrno(err, HostPath(dir)));
  }
  std::vector<DirEntry> out;
  while (const dirent* de = readdir(d)) {
    const std::string_view name = de->d_name;
    if (name == "." || name == "..") continue;
    DirEntry e{std::string(name), de->d_type == DT_DIR, de->d_type == DT_LNK};
    if (de->d_type == DT_UNKNOWN) {
      struct stat st {};
      if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        e.dir = S_ISDIR(st.st_mode);
        e.symlink = S_ISLNK(st.st_mode);
      }
    }
    out.push_back(std::move(e));
  }
  closedir(d);
  std::sort(out.begin(), out.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

}  // namespace deminer
