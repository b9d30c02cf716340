// Typed facts that sources read from the world and checks judge. A source never
// decides what is bad; it records what it saw, and what it could not see as a Gap.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/finding.h"
#include "sources/container_config.h"
#include "sources/file_walker.h"
#include "sources/firewall.h"
#include "sources/npm_project.h"
#include "sources/persistence.h"
#include "sources/postgres.h"
#include "sources/redis.h"

namespace deminer {

struct Process {
  int pid = 0;
  int ppid = 0;
  char state = '?';
  std::string comm;               // kernel's 15-char name (/proc/PID/stat)
  std::vector<std::string> argv;  // empty for kernel threads and zombies
  std::string exe;                // readlink of /proc/PID/exe, " (deleted)" stripped
  bool exe_deleted = false;
  bool exe_unreadable = false;  // readlink refused (needs CAP_SYS_PTRACE) or vanished
  bool kernel_thread = false;   // PF_KTHREAD
  uint32_t uid = 0;             // effective uid (owner of /proc/PID)
  uint64_t start_ticks = 0;     // since boot, in clock ticks
  uint64_t cpu_ticks = 0;       // utime + stime
  uint32_t threads = 0;
  uint64_t hugetlb_kb = 0;  // HugetlbPages, RandomX maps its dataset there
  uint64_t netns = 0;       // inode of /proc/PID/ns/net, 0 if unknown
  uint64_t mntns = 0;       // inode of /proc/PID/ns/mnt, 0 if unknown
  std::vector<uint64_t> socket_inodes;
  // inode of the socket on fd 0, 1 or 2, when one of them is a socket.
  std::optional<uint64_t> stdio_socket;
  std::vector<std::string> msr_paths;  // open /dev/cpu/N/msr
  // Digests of the executable (lower-case hex), read through /proc/PID/exe;
  // only computed when hash IOCs are loaded, and only for executables outside
  // the system's program directories (see HashUnusualExecutables).
  std::string exe_md5, exe_sha1, exe_sha256;
  std::string container_id;       // from /proc/PID/cgroup, empty on the host
  std::string container_runtime;  // "docker", "podman", ...

  std::string CommandLine() const;  // argv joined, or "[comm]" when argv is empty
  // The name a person would call it: argv[0]'s basename, else comm.
  std::string DisplayName() const;
};

enum class Proto { kTcp, kUdp };

struct Socket {
  Proto proto = Proto::kTcp;
  int family = 4;  // 4 or 6
  std::string local_addr;
  uint16_t local_port = 0;
  std::string remote_addr;
  uint16_t remote_port = 0;
  int state = 0;  // TCP_* from <netinet/tcp.h>; UDP uses 7 (close) or 1 (established)
  uint64_t inode = 0;
  uint32_t uid = 0;
  uint64_t netns = 0;
  std::vector<int> pids;  // owners, filled by joining process fds

  bool Listening() const;
  // A connection to a remote peer: an established or opening TCP socket, or a
  // connected UDP socket.
  bool Connected() const;
};

std::string_view TcpStateName(int state);

// "::ffff:1.2.3.4" (an IPv4 peer of a dual-stack IPv6 socket) -> "1.2.3.4", so
// address IOCs written as IPv4 match it. Other addresses are left alone.
void UnmapIpv4(std::string& addr);

struct HostInfo {
  std::string hostname;
  std::string kernel;
  long clock_ticks = 100;
  uint64_t boot_time = 0;  // epoch seconds
  double uptime_s = 0;
  int cpus = 1;
  std::optional<uint64_t> nr_hugepages;
  std::optional<bool> msr_module_loaded;  // from /proc/modules; unset if unknown
  uint64_t own_netns = 0;
  uint64_t own_mntns = 0;
  int own_pid = 0;
};

// What one log rule found in one log (logs scope): its hits grouped.
struct LogHits {
  size_t rule = 0;   // index into RulePack::log_rules
  std::string log;   // the log as the scanned system names it ("-" for stdin)
  std::string kind;  // "container", "postgres", ... (LogKindName)
  std::string container_id;
  uint64_t count = 0;
  int64_t first_time = 0;  // unix seconds; 0 when the lines carry no time
  int64_t last_time = 0;
  uint64_t first_line = 0;
  uint64_t last_line = 0;
  std::vector<std::string> samples;   // the first matching lines, bounded
  std::vector<std::string> captured;  // distinct URLs, addresses and paths, bounded
  std::vector<int64_t> times;         // of the hits with a time, bounded
  // For rules with new_within: each captured value's first time, bounded.
  std::map<std::string, int64_t> first_seen;
};

struct Facts {
  HostInfo host;
  std::vector<Process> processes;
  std::vector<Socket> sockets;
  // Container id -> what the container API said about it (name, image...).
  std::map<std::string, ContainerRef> containers;
  // Addresses of the rule pack's pool and C2 domains (--resolve only): ip -> domain.
  std::map<std::string, std::string> pool_addresses;
  std::map<std::string, std::string> c2_addresses;
  // Files of the temp dirs, containers' writable layers and PATHs (files scope),
  // and of system dirs for their attributes only (persistence scope, area "system").
  std::vector<FileEntry> files;
  uint64_t files_read = 0;  // regular files the files scope read
  std::vector<PersistItem> persistence;
  std::vector<LogHits> log_hits;  // by log, then rule
  uint64_t logs_read = 0;         // logs the logs scope read
  uint64_t log_lines = 0;         // lines in them
  // How each container is set up (containers scope): live containers of every
  // engine, and the Compose, Kubernetes, Dockerfile, inspect and image configs of PATHs.
  std::vector<ContainerConfig> container_configs;
  // Databases scope: PostgreSQL and Redis servers, live (found from listening
  // sockets, Unix sockets and --dsn) or from config files under --root and PATHs,
  // and Docker API endpoints on TCP.
  std::vector<PgServer> pg_servers;
  std::vector<RedisServer> redis_servers;
  std::vector<DockerTcpEndpoint> docker_tcp;
  // Exposure scope: the packet filter as it is.
  FirewallState firewall;
  // npm scope: projects (lockfile graph, install scripts, .npmrc, registry
  // comparison) and the JavaScript files the heuristics scored high.
  std::vector<NpmProject> npm_projects;
  std::vector<JsFileScore> js_files;
  uint64_t js_files_read = 0;
  int64_t now = 0;  // epoch seconds when the facts were read ("recent" is relative to it)
  std::vector<Gap> gaps;

  // Index by pid, rebuilt by Index() after processes change.
  std::unordered_map<int, size_t> by_pid;
  std::unordered_map<uint64_t, size_t> socket_by_inode;
  void Index();

  const Process* FindProcess(int pid) const;
  const Socket* FindSocket(uint64_t inode) const;
  // The container a process runs in, as the best reference we have.
  std::optional<ContainerRef> ContainerOf(const Process& p) const;
  // What is known of a container by id (at least the id); none for "" (the host).
  std::optional<ContainerRef> ContainerById(const std::string& id) const;
  // Each running container's lowest pid (its init, as this pid namespace numbers it).
  std::map<std::string, int> ContainerInits() const;
  // Parents of p, nearest first, up to pid 1 or the container's init (included).
  std::vector<const Process*> Ancestry(const Process& p, size_t max_depth = 32) const;
};

}  // namespace deminer
