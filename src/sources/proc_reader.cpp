#include "sources/proc_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <thread>

#include "core/strings.h"
#include "sources/proc_parse.h"

namespace deminer {
namespace {

// The head of a record getdents64 fills (glibc declares no type for it); the
// NUL-terminated name follows at byte 19.
struct DirentHead {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
};
constexpr size_t kDirentNameOffset = 19;

// Reads the file `name` under directory fd `dir` into `buf` (cleared first).
// Returns 0 or the errno of the failing call. `whole_record`: the file is one
// seq_file record (stat, status, cmdline, cgroup), so a short read is the end
// and the extra read() that would return 0 is saved. Multi-record files such
// as /proc/net/tcp may return short reads mid-file and must pass false.
int ReadAt(int dir, const char* name, std::string& buf, size_t max_bytes,
           bool whole_record = false) {
  buf.clear();
  const int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  char chunk[4096];
  int err = 0;
  while (buf.size() < max_bytes) {
    const ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    if (n == 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    if (whole_record && static_cast<size_t>(n) < sizeof chunk) break;
  }
  close(fd);
  return err;
}

// readlinkat into `out`; returns 0 or errno.
int ReadLinkAt(int dir, const char* name, std::string& out) {
  char buf[4096];
  const ssize_t n = readlinkat(dir, name, buf, sizeof buf);
  if (n < 0) return errno;
  out.assign(buf, static_cast<size_t>(n));
  return 0;
}

struct Counters {
  size_t exe_denied = 0;
  size_t fd_denied = 0;
  size_t status_denied = 0;
};

// Reads the fd table: socket inodes and open msr devices. getdents64 is
// called directly: opendir/readdir would add an fcntl and a buffer per call.
int ReadFds(int procdir, const char* fd_path, Process& p) {
  const int fddir = openat(procdir, fd_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fddir < 0) return errno;
  alignas(8) char entries[16384];
  std::string link;
  while (true) {
    const long n = syscall(SYS_getdents64, fddir, entries, sizeof entries);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      const auto* e = reinterpret_cast<const DirentHead*>(entries + off);
      const char* name = entries + off + kDirentNameOffset;
      off += e->d_reclen;
      if (name[0] == '.') continue;
      if (ReadLinkAt(fddir, name, link) != 0) continue;  // closed meanwhile
      if (const auto inode = ParseBracketInode(link, "socket")) {
        p.socket_inodes.push_back(*inode);
        const auto fdnum = ParseUint(name);
        if (fdnum && *fdnum <= 2 && !p.stdio_socket) p.stdio_socket = *inode;
      } else if (link.starts_with("/dev/cpu/") && link.ends_with("/msr")) {
        p.msr_paths.push_back(link);
      }
    }
    // A short batch means the table is done; skip the getdents that returns 0.
    if (static_cast<size_t>(n) < sizeof entries / 2) break;
  }
  close(fddir);
  return 0;
}

// Reads one process; false when it vanished or is not a process directory.
bool ReadProcess(int procdir, const char* pid_name, uint64_t own_mntns, Process& p, Counters& c,
                 bool with_fds = true) {
  // Paths are opened relative to /proc as "PID/name" rather than through an fd
  // of /proc/PID: that saves an open and a close a process (a tenth of the
  // sweep). A pid reused between two of these reads would need the kernel to
  // wrap pid_max within the sweep's few milliseconds.
  char path[64];
  const auto at = [&](const char* name) {
    std::snprintf(path, sizeof path, "%s/%s", pid_name, name);
    return path;
  };
  const int dir = procdir;
  thread_local std::string buf;
  bool ok = false;
  uint64_t vsize = 0;
  if (ReadAt(dir, at("stat"), buf, 4096, true) == 0) {
    if (auto st = ParseStat(buf)) {
      ok = true;
      p.pid = st->pid;
      p.ppid = st->ppid;
      p.state = st->state;
      p.comm = std::move(st->comm);
      p.kernel_thread = (st->flags & kPfKthread) != 0;
      p.cpu_ticks = st->utime + st->stime;
      p.threads = st->threads;
      p.start_ticks = st->start_ticks;
      vsize = st->vsize;
    }
  }
  if (ok && !p.kernel_thread) {
    struct stat st {};
    if (fstatat(procdir, pid_name, &st, 0) == 0) p.uid = st.st_uid;
    // HugetlbPages only counts in processes that map a lot: RandomX's dataset
    // alone is 2 GiB. Small processes skip the (costly) status file.
    constexpr uint64_t kHugeCandidate = uint64_t{256} << 20;
    if (vsize >= kHugeCandidate) {
      const int status_err = ReadAt(dir, at("status"), buf, 16384, true);
      if (status_err == 0) {
        p.hugetlb_kb = ParseStatus(buf).hugetlb_kb;
      } else if (status_err == EACCES || status_err == EPERM) {
        ++c.status_denied;
      }
    }
    if (ReadAt(dir, at("cmdline"), buf, size_t{256} << 10, true) == 0) p.argv = ParseCmdline(buf);
    std::string link;
    const int exe_err = ReadLinkAt(dir, at("exe"), link);
    if (exe_err == 0) {
      constexpr std::string_view kDeleted = " (deleted)";
      if (link.ends_with(kDeleted)) {
        p.exe_deleted = true;
        link.resize(link.size() - kDeleted.size());
      }
      p.exe = link;
    } else {
      p.exe_unreadable = p.state != 'Z';
      if (exe_err == EACCES || exe_err == EPERM) ++c.exe_denied;
    }
    if (ReadLinkAt(dir, at("ns/net"), link) == 0) {
      p.netns = ParseBracketInode(link, "net").value_or(0);
    }
    if (ReadLinkAt(dir, at("ns/mnt"), link) == 0) {
      p.mntns = ParseBracketInode(link, "mnt").value_or(0);
    }
    if (own_mntns == 0 || p.mntns != own_mntns) {
      if (ReadAt(dir, at("cgroup"), buf, 65536, true) == 0) {
        if (auto cg = ParseCgroup(buf)) {
          p.container_id = std::move(cg->id);
          p.container_runtime = std::move(cg->runtime);
        }
      }
    }
    if (with_fds) {
      const int fd_err = ReadFds(dir, at("fd"), p);
      if (fd_err == EACCES || fd_err == EPERM) ++c.fd_denied;
    }
  }
  return ok;
}

bool IsPidName(const char* s) {
  if (*s == '\0') return false;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
  }
  return true;
}

}  // namespace

Expected<std::vector<std::pair<int, std::string>>> ReadFdTargets(const std::string& proc_root,
                                                                 int pid) {
  const std::string dir = fmt::format("{}/{}/fd", proc_root, pid);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Fail(Error::FromErrno(errno, dir));
  std::vector<std::pair<int, std::string>> out;
  while (const dirent* e = readdir(d)) {
    const auto fd = ParseUint(e->d_name);
    if (!fd || *fd > INT32_MAX) continue;
    char target[4096];
    const ssize_t n = readlinkat(dirfd(d), e->d_name, target, sizeof target);
    if (n > 0) out.emplace_back(static_cast<int>(*fd), std::string(target, static_cast<size_t>(n)));
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

Expected<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::string buf;
  const int err = ReadAt(AT_FDCWD, path.c_str(), buf, max_bytes);
  if (err != 0) return Fail(Error::FromErrno(err, path));
  return buf;
}

std::optional<Process> ReadOneProcess(int procdir, int pid, uint64_t own_mntns, bool with_fds) {
  Process p;
  Counters unused;
  char name[16];
  std::snprintf(name, sizeof name, "%d", pid);
  if (!ReadProcess(procdir, name, own_mntns, p, unused, with_fds)) return std::nullopt;
  return p;
}

std::optional<Process> ReadOneProcess(const std::string& proc_root, int pid, uint64_t own_mntns,
                                      bool with_fds) {
  const int procdir = open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (procdir < 0) return std::nullopt;
  std::optional<Process> p = ReadOneProcess(procdir, pid, own_mntns, with_fds);
  close(procdir);
  return p;
}

Expected<ProcSweep> SweepProcesses(const ProcSweepOptions& options) {
  const int procdir = open(options.proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (procdir < 0) return Fail(Error::FromErrno(errno, options.proc_root));
  std::vector<std::string> names;
  {
    DIR* d = opendir(options.proc_root.c_str());
    if (d == nullptr) {
      const int err = errno;
      close(procdir);
      return Fail(Error::FromErrno(err, options.proc_root));
    }
    while (const dirent* e = readdir(d)) {
      if (IsPidName(e->d_name)) names.emplace_back(e->d_name);
    }
    closedir(d);
  }

  // One more thread than cores: the sweep is syscalls that sometimes wait on
  // kernel locks, and the extra thread fills those gaps (measured: 68 vs 72 ms
  // for 2,000 processes on 2 cores).
  unsigned threads =
      options.threads != 0 ? options.threads : std::thread::hardware_concurrency() + 1;
  threads = std::clamp(threads, 1u, 16u);
  if (names.size() < 64) threads = 1;  // not worth a thread

  struct Shard {
    std::vector<Process> processes;
    Counters counters;
  };
  std::vector<Shard> shards(threads);
  std::atomic<size_t> next{0};
  const auto work = [&](Shard& shard) {
    constexpr size_t kBatch = 32;
    while (true) {
      const size_t begin = next.fetch_add(kBatch);
      if (begin >= names.size()) return;
      const size_t end = std::min(begin + kBatch, names.size());
      for (size_t i = begin; i < end; ++i) {
        Process p;
        if (ReadProcess(procdir, names[i].c_str(), options.own_mntns, p, shard.counters)) {
          shard.processes.push_back(std::move(p));
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) {
    // No thread to be had (pids exhausted, as on a host a fork bomb or a miner
    // swarm fills): go on with the threads there are.
    try {
      pool.emplace_back(work, std::ref(shards[t]));
    } catch (const std::system_error&) {
      break;
    }
  }
  work(shards[0]);
  for (auto& t : pool) t.join();
  close(procdir);

  ProcSweep out;
  Counters total;
  for (Shard& s : shards) {
    std::move(s.processes.begin(), s.processes.end(), std::back_inserter(out.processes));
    total.exe_denied += s.counters.exe_denied;
    total.fd_denied += s.counters.fd_denied;
    total.status_denied += s.counters.status_denied;
  }
  std::sort(out.processes.begin(), out.processes.end(),
            [](const Process& a, const Process& b) { return a.pid < b.pid; });
  constexpr std::string_view kPtrace = "root or CAP_SYS_PTRACE";
  const auto n = [](size_t count) {
    return fmt::format("{} process{}", count, count == 1 ? "" : "es");
  };
  if (total.exe_denied) {
    out.gaps.push_back({"executables of " + n(total.exe_denied),
                        "readlink /proc/PID/exe: permission denied", std::string(kPtrace)});
  }
  if (total.fd_denied) {
    out.gaps.push_back({"open files and sockets of " + n(total.fd_denied),
                        "/proc/PID/fd: permission denied", std::string(kPtrace)});
  }
  if (total.status_denied) {
    out.gaps.push_back({"status of " + n(total.status_denied),
                        "/proc/PID/status: permission denied", std::string(kPtrace)});
  }
  return out;
}

HostInfo ReadHostInfo(const std::string& root) {
  HostInfo h;
  const std::string base = root == "/" ? "" : root;
  utsname u{};
  if (uname(&u) == 0) {
    h.hostname = u.nodename;
    h.kernel = u.release;
  }
  if (const auto name = ReadSmallFile(base + "/etc/hostname", 256);
      name && !root.empty() && root != "/") {
    h.hostname = std::string(Trim(*name));
  }
  h.clock_ticks = sysconf(_SC_CLK_TCK);
  if (h.clock_ticks <= 0) h.clock_ticks = 100;
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  h.cpus = cpus > 0 ? static_cast<int>(cpus) : 1;
  h.own_pid = getpid();
  if (const auto stat = ReadSmallFile(base + "/proc/stat")) {
    for (std::string_view line : Split(*stat, '\n')) {
      if (line.starts_with("btime ")) h.boot_time = ParseUint(Trim(line.substr(6))).value_or(0);
    }
  }
  if (const auto up = ReadSmallFile(base + "/proc/uptime", 256)) {
    h.uptime_s = std::strtod(up->c_str(), nullptr);
  }
  if (const auto hp = ReadSmallFile(base + "/proc/sys/vm/nr_hugepages", 64)) {
    h.nr_hugepages = ParseUint(Trim(*hp));
  }
  if (const auto mods = ReadSmallFile(base + "/proc/modules", 4 << 20)) {
    bool loaded = false;
    for (std::string_view line : Split(*mods, '\n')) loaded = loaded || line.starts_with("msr ");
    h.msr_module_loaded = loaded;
  }
  char link[64] = {};
  if (readlink((base + "/proc/self/ns/net").c_str(), link, sizeof link - 1) > 0) {
    h.own_netns = ParseBracketInode(link, "net").value_or(0);
  }
  char mnt[64] = {};
  if (readlink((base + "/proc/self/ns/mnt").c_str(), mnt, sizeof mnt - 1) > 0) {
    h.own_mntns = ParseBracketInode(mnt, "mnt").value_or(0);
  }
  return h;
}

}  // namespace deminer
