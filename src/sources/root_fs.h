// Opens files of a scanned system by the paths that system uses, under a root
// directory ("/" live, or a mounted disk or unpacked image). Symlinks resolve
// inside the root (openat2 with RESOLVE_IN_ROOT), so an absolute link in an
// image never reaches the host's own files. Reads are bounded.
//
// Thread safety: const methods are safe to call from many threads.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace deminer {

class RootFs {
 public:
  // Fails when root is not a directory that can be opened.
  static Expected<RootFs> Open(const std::string& root);
  ~RootFs();
  RootFs(RootFs&& other) noexcept;
  RootFs& operator=(RootFs&&) = delete;
  RootFs(const RootFs&) = delete;
  RootFs& operator=(const RootFs&) = delete;

  const std::string& root() const { return root_; }
  // The host path of `path` for messages and for tools that need one.
  std::string HostPath(const std::string& path) const;

  // An fd for `path` (absolute, as the scanned system sees it); the caller closes it.
  // `nofollow`: a symlink as the last component is an error (ELOOP).
  Expected<int> OpenFd(const std::string& path, int flags, bool nofollow = false) const;
  Expected<std::string> Read(const std::string& path, size_t max_bytes = size_t{1} << 20) const;
  // lstat of the last component (symlinks are not followed).
  Expected<struct stat> Lstat(const std::string& path) const;
  // The target of a symlink.
  Expected<std::string> ReadLink(const std::string& path) const;

  struct DirEntry {
    std::string name;
    bool dir = false;
    bool symlink = false;
  };
  // Entries of a directory (without "." and ".."); NotFound when there is none.
  Expected<std::vector<DirEntry>> List(const std::string& dir) const;

 private:
  RootFs(std::string root, int fd) : root_(std::move(root)), fd_(fd) {}
  std::string root_;
  int fd_ = -1;
};

}  // namespace deminer
