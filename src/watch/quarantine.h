// The quarantine: a file the daemon (or an operator) took away, kept with its
// hash and metadata so that it can be examined and, when it was a mistake,
// put back exactly. An immutable or append-only attribute (the seeds' chattr
// +i) is recorded, cleared so the file can move, and set again on restore.
// Layout: STATE/quarantine/ID/{file,meta.json}; the file is kept mode 0000.
// Not thread-safe per directory; the daemon calls it from one thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"

namespace deminer {

struct QuarantineEntry {
  std::string id;         // "20261123T003412Z-<sha256 prefix>"
  std::string path;       // where it was, as this host reaches it
  std::string shown;      // where it was, as its own system names it
  std::string container;  // container id, or ""
  std::string sha256;
  uint64_t size = 0;
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t mtime_ns = 0;
  uint32_t attr_flags = 0;  // FS_IOC_GETFLAGS as found (immutable, append-only...)
  std::string reason;       // the finding's check and subject
  std::string at;           // when, ISO 8601
};

// The entry as meta.json and `deminer quarantine list --format json` hold it.
nlohmann::json QuarantineJson(const QuarantineEntry& e);

// Moves `path` into `state_dir`/quarantine. Refuses what is not a regular file.
Expected<QuarantineEntry> Quarantine(const std::string& state_dir, const std::string& path,
                                     const std::string& shown, const std::string& container,
                                     const std::string& reason);

// Every entry, oldest first; unreadable entries are skipped.
std::vector<QuarantineEntry> ListQuarantine(const std::string& state_dir);

// Puts entry `id` back where it was, with its mode, owner, times and
// attributes; refuses when something else now sits at that path.
Expected<QuarantineEntry> RestoreQuarantined(const std::string& state_dir, const std::string& id);

}  // namespace deminer
