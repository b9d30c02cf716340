#include "sources/proc_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "core/strings.h"
#include "sources/proc_parse.h"

namespace deminer {
namespace {

// Reads the file `name` under directory fd `dir` into `buf` (cleared first).
// Returns 0 or the errno of the failing call.
int ReadAt(int dir, const char* name, std::string& buf, size_t max_bytes) {
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

// Reads the fd table: socket inodes and open msr devices.
int ReadFds(int piddir, Process& p) {
  const int fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fddir < 0) return errno;
  DIR* d = fdopendir(fddir);
  if (d == nullptr) {
    const int err = errno;
    close(fddir);
    return err;
  }
  std::string link;
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (ReadLinkAt(fddir, e->d_name, link) != 0) continue;  // closed meanwhile
    if (const auto inode = ParseBracketInode(link, "socket")) {
      p.socket_inodes.push_back(*inode);
      const auto fdnum = ParseUint(e->d_name);
      if (fdnum && *fdnum <= 2 && !p.stdio_socket) p.stdio_socket = *inode;
    } else if (link.starts_with("/dev/cpu/") && link.ends_with("/msr")) {
      p.msr_paths.push_back(link);
    }
  }
  closedir(d);
  return 0;
}

// Reads one process; false when it vanished or is not a process directory.
bool ReadProcess(int procdir, const char* pid_name, Process& p, Counters& c) {
  const int dir = openat(procdir, pid_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return false;
  thread_local std::string buf;
  bool ok = false;
  if (ReadAt(dir, "stat", buf, 4096) == 0) {
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
    }
  }
  if (ok && !p.kernel_thread) {
    const int status_err = ReadAt(dir, "status", buf, 16384);
    if (status_err == 0) {
      const StatusFields sf = ParseStatus(buf);
      p.uid = sf.uid;
      p.hugetlb_kb = sf.hugetlb_kb;
    } else if (status_err == EACCES || status_err == EPERM) {
      ++c.status_denied;
    }
    if (ReadAt(dir, "cmdline", buf, 256 * 1024) == 0) p.argv = ParseCmdline(buf);
    std::string link;
    const int exe_err = ReadLinkAt(dir, "exe", link);
    if (exe_err == 0) {
      constexpr std::string_view kDeleted = " (deleted)";
      if (link.ends_with(kDeleted)) {
        p.exe_deleted = true;
        link.resize(link.size() - kDeleted.size());
      }
      p.exe = std::move(link);
    } else {
      p.exe_unreadable = p.state != 'Z';
      if (exe_err == EACCES || exe_err == EPERM) ++c.exe_denied;
    }
    if (ReadAt(dir, "cgroup", buf, 65536) == 0) {
      if (auto cg = ParseCgroup(buf)) {
        p.container_id = std::move(cg->id);
        p.container_runtime = std::move(cg->runtime);
      }
    }
    if (ReadLinkAt(dir, "ns/net", link) == 0) {
      p.netns = ParseBracketInode(link, "net").value_or(0);
    }
    const int fd_err = ReadFds(dir, p);
    if (fd_err == EACCES || fd_err == EPERM) ++c.fd_denied;
  }
  close(dir);
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

Expected<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::string buf;
  const int err = ReadAt(AT_FDCWD, path.c_str(), buf, max_bytes);
  if (err != 0) return Fail(Error::FromErrno(err, path));
  return buf;
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

  unsigned threads = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
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
        if (ReadProcess(procdir, names[i].c_str(), p, shard.counters)) {
          shard.processes.push_back(std::move(p));
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, std::ref(shards[t]));
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
  if (total.exe_denied) {
    out.gaps.push_back({fmt::format("executables of {} processes", total.exe_denied),
                        "readlink /proc/PID/exe: permission denied", std::string(kPtrace)});
  }
  if (total.fd_denied) {
    out.gaps.push_back({fmt::format("open files and sockets of {} processes", total.fd_denied),
                        "/proc/PID/fd: permission denied", std::string(kPtrace)});
  }
  if (total.status_denied) {
    out.gaps.push_back({fmt::format("status of {} processes", total.status_denied),
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
  if (const auto name = ReadSmallFile(base + "/etc/hostname", 256); name && !root.empty() &&
                                                                   root != "/") {
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
  return h;
}

}  // namespace deminer
