// Pure parsers for the text files under /proc. They take the bytes a read
// returned and never touch the file system, so tests and fuzzers feed them
// directly. Malformed input gives an InvalidInput error, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "sources/facts.h"

namespace deminer {

struct StatFields {
  int pid = 0;
  std::string comm;
  char state = '?';
  int ppid = 0;
  uint64_t flags = 0;
  uint64_t utime = 0;
  uint64_t stime = 0;
  uint32_t threads = 0;
  uint64_t start_ticks = 0;
  uint64_t vsize = 0;  // bytes of virtual memory
};
inline constexpr uint64_t kPfKthread = 0x00200000;

// /proc/PID/stat. The comm field may hold spaces and ')' so it ends at the last ')'.
Expected<StatFields> ParseStat(std::string_view text);

struct StatusFields {
  uint32_t uid = 0;  // real uid
  uint64_t hugetlb_kb = 0;
};
StatusFields ParseStatus(std::string_view text);

// NUL-separated arguments; a trailing NUL does not add an empty argument.
std::vector<std::string> ParseCmdline(std::string_view bytes);

struct CgroupContainer {
  std::string runtime;  // docker, podman, containerd, cri-o, kubernetes
  std::string id;
};
// Finds a container id in /proc/PID/cgroup (v1 or v2), for Docker (cgroupfs
// "/docker/ID" and systemd "docker-ID.scope"), Podman ("libpod-ID"),
// containerd ("cri-containerd-ID"), CRI-O ("crio-ID") and Kubernetes pods.
// Container monitors (conmon) are not containers.
std::optional<CgroupContainer> ParseCgroup(std::string_view text);

// "net:[4026531833]" -> 4026531833; "socket:[123]" -> 123 with prefix "socket".
std::optional<uint64_t> ParseBracketInode(std::string_view link, std::string_view prefix);

// One /proc/net/{tcp,tcp6,udp,udp6} table.
// One line of /proc/PID/mountinfo: where it is mounted, the file system type,
// its per-mount options ("rw,nosuid,noexec"), the source and the super block
// options ("upperdir=..." of an overlay).
struct MountEntry {
  std::string mount_point;
  std::string options;
  std::string fstype;
  std::string source;
  std::string super_options;
  // The value of `key=` in the super block options, or empty.
  std::string SuperOption(std::string_view key) const;
};
std::vector<MountEntry> ParseMountInfo(std::string_view text);

Expected<std::vector<Socket>> ParseProcNet(std::string_view text, Proto proto, int family);

}  // namespace deminer
