#include "sources/file_walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/strings.h"

namespace deminer {

bool FileEntry::Immutable() const { return attr_flags && (*attr_flags & FS_IMMUTABLE_FL) != 0; }
bool FileEntry::AppendOnly() const { return attr_flags && (*attr_flags & FS_APPEND_FL) != 0; }

std::string_view FileEntry::Name() const {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string_view(path)
                                    : std::string_view(path).substr(slash + 1);
}

bool HiddenName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return name.starts_with('.') || name.find_first_not_of(". ") == std::string_view::npos;
}

bool FileEntry::Hidden() const {
  const std::vector<std::string_view> parts = Split(path, '/');
  return std::any_of(parts.begin(), parts.end(), HiddenName);
}

FileEntry::Content ClassifyContent(std::string_view head, std::string* interpreter) {
  if (head.empty()) return FileEntry::Content::kEmpty;
  if (head.starts_with("\x7f"
                       "ELF")) {
    return FileEntry::Content::kElf;
  }
  if (head.starts_with("#!")) {
    if (interpreter != nullptr) {
      std::string_view rest = head.substr(2);
      rest = rest.substr(0, rest.find('\n'));
      rest = Trim(rest);
      *interpreter = std::string(rest.substr(0, rest.find_first_of(" \t")));
    }
    return FileEntry::Content::kScript;
  }
  return FileEntry::Content::kData;
}

namespace {

constexpr size_t kChunk = size_t{1} << 20;
// Directories waiting in the shared queue hold an open descriptor each; past
// this many, a worker walks a new directory itself, depth first.
constexpr size_t kMaxQueued = 256;

bool PseudoFileSystem(int fd) {
  struct statfs sfs {};
  if (fstatfs(fd, &sfs) != 0) return false;
  switch (static_cast<unsigned long>(sfs.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case SECURITYFS_MAGIC:
    case BPF_FS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case PSTOREFS_MAGIC:
    case EFIVARFS_MAGIC:
      return true;
    default:
      return false;
  }
}

// A queued piece of work: a directory to list, or a large file to read (so
// that a directory of big files is shared between workers).
struct Dir {
  int fd = -1;
  std::string shown;  // its path on the scanned system
  dev_t dev = 0;
  unsigned depth = 0;
  const WalkTarget* target = nullptr;
  bool file = false;
  struct stat st {};  // of the file
};

// Files above this are queued for any worker rather than read in place.
constexpr uint64_t kShareBytes = uint64_t{1} << 20;

struct Problems {
  uint64_t vanished = 0;
  uint64_t unreadable = 0;
  uint64_t too_deep = 0;
  uint64_t too_big = 0;
  uint64_t late = 0;  // not begun by the deadline
  std::string first_unreadable;
};

class Walker {
 public:
  explicit Walker(const WalkOptions& options) : options_(options) {}

  FileSweep Run(const std::vector<WalkTarget>& targets) {
    for (const WalkTarget& t : targets) Start(t);
    unsigned n = options_.threads != 0 ? options_.threads : std::thread::hardware_concurrency();
    n = std::max(1u, n);
    workers_.resize(n);
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < n; ++i) {
      try {
        pool.emplace_back([this, i] { Work(i); });
      } catch (const std::system_error&) {
        break;  // no more threads: the others share the work
      }
    }
    Work(0);
    for (auto& t : pool) t.join();

    FileSweep out;
    Problems total;
    for (Worker& w : workers_) {
      std::move(w.entries.begin(), w.entries.end(), std::back_inserter(out.entries));
      out.files += w.files;
      out.bytes_read += w.bytes_read;
      total.vanished += w.problems.vanished;
      total.unreadable += w.problems.unreadable;
      total.too_deep += w.problems.too_deep;
      total.too_big += w.problems.too_big;
      total.late += w.problems.late;
      if (total.first_unreadable.empty()) total.first_unreadable = w.problems.first_unreadable;
    }
    std::sort(out.entries.begin(), out.entries.end(),
              [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
    out.gaps = std::move(gaps_);
    if (total.unreadable != 0) {
      out.gaps.push_back({fmt::format("{} files or directories", total.unreadable),
                          "could not be read (first: " + total.first_unreadable + ")", "root"});
    }
    if (total.too_deep != 0) {
      out.gaps.push_back({fmt::format("{} directories", total.too_deep),
                          fmt::format("deeper than {} levels, not walked", options_.max_depth),
                          ""});
    }
    if (total.too_big != 0) {
      out.gaps.push_back({fmt::format("digests of {} files", total.too_big),
                          fmt::format("larger than {} bytes", options_.max_hash_bytes), ""});
    }
    if (total.late != 0) {
      out.gaps.push_back(Gap::TimeBound(fmt::format("{} files or directories", total.late)));
    }
    if (total.vanished != 0) {
      // Normal in busy temp dirs; recorded so the count of files seen adds up.
      out.gaps.push_back(
          {fmt::format("{} files", total.vanished), "vanished between listing and reading", ""});
    }
    return out;
  }

 private:
  struct Worker {
    std::vector<FileEntry> entries;
    std::vector<unsigned char> buf;
    std::unique_ptr<Hasher> hasher;
    Problems problems;
    uint64_t files = 0;
    uint64_t bytes_read = 0;
  };

  void Start(const WalkTarget& target) {
    const int fd = open(target.dir.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
      if (errno != ENOENT) {
        gaps_.push_back(
            {"files under " + target.shown, Error::FromErrno(errno, target.dir).message(), "root"});
      }
      return;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0) {
      close(fd);
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      if (PseudoFileSystem(fd)) {
        close(fd);
        gaps_.push_back({target.shown, "a pseudo file system (proc, sys, ...), not walked", ""});
        return;
      }
      queue_.push_back({fd, target.shown, st.st_dev, 0, &target});
      return;
    }
    // A single file given as a PATH: walk its directory entry alone.
    files_.push_back({fd, st, &target});
  }

  void Work(unsigned index) {
    Worker& w = workers_[index];
    if (options_.hashes.Any()) w.hasher = std::make_unique<Hasher>(options_.hashes);
    // Single files named on the command line go first, on worker 0.
    if (index == 0) {
      for (auto& [fd, st, target] : files_) {
        FileEntry e = Describe(st, target->shown, *target);
        ReadFile(w, fd, st, e);
        close(fd);
        w.entries.push_back(std::move(e));
      }
    }
    while (true) {
      Dir d;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty() || busy_ == 0; });
        if (queue_.empty()) return;  // nothing queued and nobody can add more
        d = queue_.front();
        queue_.pop_front();
        ++busy_;
      }
      if (std::chrono::steady_clock::now() >= options_.deadline) {
        close(d.fd);  // what it holds is never queued: the queue drains
        ++w.problems.late;
      } else if (d.file) {
        FileEntry e = Describe(d.st, std::move(d.shown), *d.target);
        ReadFile(w, d.fd, d.st, e);
        close(d.fd);
        w.entries.push_back(std::move(e));
      } else {
        WalkDir(w, d);
      }
      {
        std::lock_guard lock(mu_);
        --busy_;
      }
      cv_.notify_all();
    }
  }

  FileEntry Describe(const struct stat& st, std::string shown, const WalkTarget& target) {
    FileEntry e;
    e.path = std::move(shown);
    e.area = target.area;
    e.container_id = target.container_id;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.size = static_cast<uint64_t>(st.st_size);
    e.mtime = st.st_mtim.tv_sec;
    e.ctime = st.st_ctim.tv_sec;
    if (S_ISREG(st.st_mode)) {
      e.type = FileEntry::Type::kFile;
    } else if (S_ISDIR(st.st_mode)) {
      e.type = FileEntry::Type::kDir;
    } else if (S_ISLNK(st.st_mode)) {
      e.type = FileEntry::Type::kSymlink;
    } else {
      e.type = FileEntry::Type::kOther;
    }
    return e;
  }

  static void ReadFlags(int fd, FileEntry& e) {
    int flags = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) e.attr_flags = static_cast<uint32_t>(flags);
  }

  void NoteUnreadable(Worker& w, const std::string& path, int err) {
    if (err == ENOENT) {
      ++w.problems.vanished;
      return;
    }
    if (w.problems.first_unreadable.empty()) {
      w.problems.first_unreadable = fmt::format("{}: {}", path, std::strerror(err));
    }
    ++w.problems.unreadable;
  }

  // Reads a regular file once: hashes it, classifies it, and hands whole
  // files within the content bound to the hook.
  void ReadFile(Worker& w, int fd, const struct stat& st, FileEntry& e) {
    ++w.files;
    ReadFlags(fd, e);
    if (!options_.read_content || (options_.read_filter && !options_.read_filter(e))) return;
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size > options_.max_hash_bytes) {
      ++w.problems.too_big;
      e.content_truncated = true;
      char head[256];
      const ssize_t n = pread(fd, head, sizeof head, 0);
      if (n > 0) e.content = ClassifyContent({head, static_cast<size_t>(n)}, &e.interpreter);
      return;
    }
    const bool whole = size <= options_.max_content_bytes;
    // Whole files are read into one buffer for the matchers; larger ones are
    // streamed through the hasher in chunks. A file may grow while read.
    const size_t want = whole ? static_cast<size_t>(size) + 1 : kChunk;
    if (w.buf.size() < std::max(want, kChunk)) w.buf.resize(std::max(want, kChunk));
    uint64_t got = 0;
    size_t held = 0;  // bytes at the front of buf (whole mode)
    bool head_done = false;
    while (true) {
      unsigned char* dst = whole ? w.buf.data() + held : w.buf.data();
      const size_t room = whole ? w.buf.size() - held : w.buf.size();
      if (room == 0) break;  // grew past the bound while read; match what we have
      const ssize_t n = read(fd, dst, room);
      if (n < 0) {
        if (errno == EINTR) continue;
        NoteUnreadable(w, e.path, errno);
        e.content = FileEntry::Content::kUnread;
        if (w.hasher) w.hasher->Finish();
        return;
      }
      if (n == 0) break;
      const auto len = static_cast<size_t>(n);
      got += len;
      if (w.hasher) w.hasher->Update(dst, len);
      if (whole) {
        held += len;
      } else if (!head_done) {
        e.content = ClassifyContent(
            {reinterpret_cast<const char*>(dst), std::min<size_t>(len, 256)}, &e.interpreter);
        head_done = true;
      }
      if (got > options_.max_hash_bytes) break;
    }
    w.bytes_read += got;
    if (w.hasher) e.hashes = w.hasher->Finish();
    e.hashes.size = got;
    std::string_view bytes;
    if (whole) {
      bytes = {reinterpret_cast<const char*>(w.buf.data()), held};
      e.content = ClassifyContent(bytes.substr(0, 256), &e.interpreter);
    } else {
      e.content_truncated = true;
      if (!head_done) e.content = FileEntry::Content::kEmpty;
    }
    if (options_.hook && got != 0) {
      const unsigned index = static_cast<unsigned>(&w - workers_.data());
      options_.hook(index, e, bytes);
    }
  }

  void WalkDir(Worker& w, Dir d) {
    DIR* dir = fdopendir(d.fd);
    if (dir == nullptr) {
      NoteUnreadable(w, d.shown, errno);
      close(d.fd);
      return;
    }
    const int dfd = dirfd(dir);
    const std::string prefix = d.shown == "/" ? "" : d.shown;
    while (true) {
      errno = 0;
      const dirent* de = readdir(dir);
      if (de == nullptr) {
        if (errno != 0) NoteUnreadable(w, d.shown, errno);
        break;
      }
      const std::string_view name = de->d_name;
      if (name == "." || name == "..") continue;
      std::string shown = fmt::format("{}/{}", prefix, name);
      unsigned char type = de->d_type;
      if (type == DT_DIR) {
        const int fd =
            openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
          if (errno == ELOOP || errno == ENOTDIR) {
            type = DT_UNKNOWN;  // replaced by something else meanwhile: stat it below
          } else {
            NoteUnreadable(w, shown, errno);
            continue;
          }
        } else {
          SubDir(w, d, fd, std::move(shown));
          continue;
        }
      }
      if (type == DT_REG) {
        const int fd = OpenFile(dfd, de->d_name);
        if (fd < 0) {
          if (errno != ELOOP) {
            NoteUnreadable(w, shown, errno);
            continue;
          }
        } else {
          struct stat st {};
          if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
            if (static_cast<uint64_t>(st.st_size) > kShareBytes && options_.read_content) {
              Dir task{fd, std::move(shown), st.st_dev, d.depth, d.target, true, st};
              if (Share(std::move(task))) continue;
              shown = std::move(task.shown);  // the queue was full: read it here
            }
            FileEntry e = Describe(st, std::move(shown), *d.target);
            ReadFile(w, fd, st, e);
            w.entries.push_back(std::move(e));
          }
          close(fd);
          continue;
        }
      }
      // Symlinks, devices, sockets, fifos, and types the file system did not say.
      struct stat st {};
      if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        NoteUnreadable(w, shown, errno);
        continue;
      }
      if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
        // DT_UNKNOWN: open it as what it is.
        const int fd = S_ISDIR(st.st_mode)
                           ? openat(dfd, de->d_name,
                                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
                           : OpenFile(dfd, de->d_name);
        if (fd < 0) {
          NoteUnreadable(w, shown, errno);
          continue;
        }
        if (S_ISDIR(st.st_mode)) {
          SubDir(w, d, fd, std::move(shown));
        } else {
          FileEntry e = Describe(st, std::move(shown), *d.target);
          ReadFile(w, fd, st, e);
          w.entries.push_back(std::move(e));
          close(fd);
        }
        continue;
      }
      FileEntry e = Describe(st, std::move(shown), *d.target);
      if (S_ISLNK(st.st_mode)) {
        char target[4096];
        const ssize_t n = readlinkat(dfd, de->d_name, target, sizeof target);
        if (n > 0) e.link_target.assign(target, static_cast<size_t>(n));
      }
      w.entries.push_back(std::move(e));
    }
    closedir(dir);
  }

  static int OpenFile(int dfd, const char* name) {
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOATIME);
    // O_NOATIME is refused on files the caller does not own (without CAP_FOWNER).
    if (fd < 0 && errno == EPERM)
      fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    return fd;
  }

  // Queues a task for any worker; false when the queue is full (do it yourself).
  bool Share(Dir&& task) {
    {
      std::lock_guard lock(mu_);
      if (queue_.size() >= kMaxQueued) return false;
      queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

  void SubDir(Worker& w, const Dir& parent, int fd, std::string shown) {
    struct stat st {};
    if (fstat(fd, &st) != 0) {
      close(fd);
      return;
    }
    if (st.st_dev != parent.dev && PseudoFileSystem(fd)) {
      close(fd);
      return;
    }
    FileEntry e = Describe(st, shown, *parent.target);
    ReadFlags(fd, e);
    w.entries.push_back(std::move(e));
    const unsigned limit =
        parent.target->max_depth != 0 ? parent.target->max_depth : options_.max_depth;
    if (parent.depth + 1 > limit) {
      if (parent.target->max_depth == 0) ++w.problems.too_deep;
      close(fd);
      return;
    }
    Dir child{fd, std::move(shown), st.st_dev, parent.depth + 1, parent.target, false, {}};
    if (Share(std::move(child))) return;
    WalkDir(w, std::move(child));
  }

  const WalkOptions& options_;
  std::vector<Worker> workers_;
  std::vector<Gap> gaps_;
  struct SingleFile {
    int fd;
    struct stat st;
    const WalkTarget* target;
  };
  std::vector<SingleFile> files_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Dir> queue_;
  unsigned busy_ = 0;
};

}  // namespace

FileSweep WalkFiles(const std::vector<WalkTarget>& targets, const WalkOptions& options) {
  return Walker(options).Run(targets);
}

}  // namespace deminer
