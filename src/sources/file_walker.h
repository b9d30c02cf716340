// Walks directory trees in parallel and records what each file is: type, mode,
// owner, times, the inode attribute flags (immutable, append-only, read with
// the FS_IOC_GETFLAGS ioctl), what its first bytes say (ELF, script) and its
// digests. Each regular file is read once: the bytes are hashed and handed to
// a content hook (the matchers) in the same pass.
//
// Safety: symlinks are recorded, never followed (every open is openat with
// O_NOFOLLOW below a directory already open); pseudo file systems (/proc,
// /sys, cgroup, debugfs, ...) are never entered; reads are bounded. A file
// that vanishes while walked is counted, one that cannot be read is a gap.
//
// Thread safety: WalkFiles runs `threads` workers; the hook is called from all
// of them with the worker's index, so per-thread state in the hook needs no lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "sources/file_hash.h"

namespace deminer {

// A content rule that matched a file (filled in by the content hook).
struct ContentMatch {
  std::string engine;  // "yara", "shell"
  std::string rule;
  std::string severity;  // from the rule; empty: the check decides
  std::string description;
  std::string source;
  std::string attack;
  std::vector<std::string> excerpts;  // what matched, printable and bounded
  int line = 0;                       // of the first excerpt, when known
};

struct FileEntry {
  enum class Type : uint8_t { kFile, kDir, kSymlink, kOther };
  enum class Content : uint8_t { kUnread, kEmpty, kElf, kScript, kData };

  std::string path;  // as the scanned system sees it: "/tmp/.x/javae"
  std::string area;  // why it was walked: "temp", "path", "container-layer", "system"
  std::string container_id;
  Type type = Type::kFile;
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint64_t size = 0;
  int64_t mtime = 0;
  int64_t ctime = 0;
  std::optional<uint32_t> attr_flags;  // FS_IOC_GETFLAGS; unset where unsupported
  Content content = Content::kUnread;
  std::string interpreter;         // of a script: "/bin/sh" from "#!/bin/sh -e"
  std::string link_target;         // of a symlink
  FileHashes hashes;               // empty digests when not asked for or not read
  bool content_truncated = false;  // larger than the content bound: hashed, not matched
  std::vector<ContentMatch> matches;

  bool Executable() const { return (mode & 0111) != 0; }
  bool Immutable() const;
  bool AppendOnly() const;
  // The name, or a directory on the path below the walk's start, is hidden:
  // starts with '.', or is made only of dots and spaces ("...", " ").
  bool Hidden() const;
  std::string_view Name() const;
};

// A hidden name: starts with '.' (not "." or ".."), or is made only of dots
// and spaces ("...", " ").
bool HiddenName(std::string_view name);

// One tree to walk.
struct WalkTarget {
  std::string dir;    // where to read it on this host: "/proc/812/root/tmp"
  std::string shown;  // the path it has on the scanned system: "/tmp"
  std::string area;
  std::string container_id;
  // Directories below `dir` to enter; 0: WalkOptions::max_depth, and deeper
  // ones are a gap. A target's own bound is a choice, not a gap.
  unsigned max_depth = 0;
};

// Called once for each non-empty file read, after its digests are in
// entry.hashes: `bytes` is the whole file, or empty for a file larger than
// max_content_bytes that was only hashed (entry.content_truncated).
using ContentHook = std::function<void(unsigned worker, FileEntry& entry, std::string_view bytes)>;

struct WalkOptions {
  unsigned threads = 0;  // 0: one per core
  bool read_content = true;
  HashSet hashes;
  uint64_t max_content_bytes = uint64_t{32} << 20;  // read whole and matched up to this
  uint64_t max_hash_bytes = uint64_t{512} << 20;    // hashed, streaming, up to this
  unsigned max_depth = 64;
  ContentHook hook;  // may be empty
  // When set, only the regular files it accepts are read and hashed (the
  // others are listed, unread): the npm scope reads *.js alone. Called from
  // the workers.
  std::function<bool(const FileEntry&)> read_filter;
  // Files and directories not begun by then are left, and counted in a gap
  // (deminer collect --max-time).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct FileSweep {
  std::vector<FileEntry> entries;
  std::vector<Gap> gaps;
  uint64_t files = 0;
  uint64_t bytes_read = 0;
};

FileSweep WalkFiles(const std::vector<WalkTarget>& targets, const WalkOptions& options);

// What the first bytes of a file are ("\x7fELF", "#!interpreter"); pure.
FileEntry::Content ClassifyContent(std::string_view head, std::string* interpreter);

}  // namespace deminer
