// The zombie loop: a payload that comes back after it was killed or its
// process ended, because something keeps re-creating and re-running it (seed
// 001's /tmp/dbus_daemon). Payloads are keyed by file name and, when known, by
// SHA-256, so a renamed copy of the same bytes is the same payload. Pure
// bookkeeping; the daemon feeds it exec and exit events. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace deminer {

class RespawnTracker {
 public:
  struct Comeback {
    uint64_t count = 0;          // times it came back after it was gone
    double period_s = 0;         // mean time between runs
    std::vector<int64_t> times;  // unix ms of each run, bounded
    std::string name;            // the name it first ran under
  };

  // `pid` runs the payload `name` (an executable's base name) with `sha256`
  // (may be empty). A comeback when every earlier run of it had ended:
  // `alive` tells whether an earlier run's pid still runs (the daemon does
  // not subscribe to exit events, which would cost every process on the host).
  std::optional<Comeback> Ran(const std::string& name, const std::string& sha256, int pid,
                              int64_t now_ms, const std::function<bool(int)>& alive);
  size_t payloads() const { return records_.size(); }

 private:
  struct Record {
    std::string name;
    std::set<int> running;
    std::vector<int64_t> times;
    uint64_t comebacks = 0;
  };
  static constexpr size_t kMaxPayloads = 4096;
  static constexpr size_t kMaxTimes = 64;
  std::vector<Record> records_;
  std::map<std::string, size_t> by_key_;  // "n:NAME" and "h:SHA256"
};

}  // namespace deminer
