// The logs scope's I/O: finds the logs of the scanned system (containers'
// json-file and k8s-file logs, the systemd journal, PostgreSQL, Redis, nginx
// and Apache, auth.log and secure) and the PATHs given, reads each once, and groups the lines the
// log rules fire on into Facts::log_hits. Logs are read in parallel.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checks/scanner.h"
#include "match/log_matcher.h"
#include "match/rule_pack.h"
#include "sources/facts.h"

namespace deminer {

struct LogTarget {
  std::string path;   // where to read it on this host ("-": stdin)
  std::string shown;  // as the scanned system names it
  LogKind kind = LogKind::kFile;
  std::string container_id;
};

// Where a followed log was read up to.
struct LogCursor {
  dev_t dev = 0;
  ino_t ino = 0;
  uint64_t offset = 0;     // bytes read: up to the end of its last whole line
  uint64_t next_line = 1;  // the number of the line at `offset`
};

// What `scan --follow` keeps between passes: where each log was read up to
// and the compiled rules. A pass after the first reads only what was
// appended; a log rotated or truncated (another inode, or shorter) is read
// from its start. Compressed rotations are read once. The journal is read on
// from the last second a pass saw, skipping that second's entries it read.
struct LogFollow {
  std::map<std::string, LogCursor> cursors;  // by path on this host
  std::shared_ptr<const LogMatcher> matcher;
  bool primed = false;                        // the first pass is done
  int64_t journal_time = 0;                   // the newest journal entry's time read
  std::set<std::string> journal_last_second;  // the messages read at that time
};

// The kind of log a path names ("/var/log/postgresql/..." -> postgres).
LogKind LogKindOfPath(std::string_view path);

// The container a log belongs to, from its path (Docker's
// containers/ID/ID-json.log, Podman's overlay-containers/ID/userdata/ctr.log);
// empty when it names none.
std::string ContainerIdOfLogPath(std::string_view path);

// The logs of the system at options.root, then options.paths (a directory
// adds the log files under it).
std::vector<LogTarget> FindLogs(const ScanOptions& options, std::vector<Gap>& gaps);

// The systemd journal directories of the system at `root` that hold journal
// files (/var/log/journal, /run/log/journal).
std::vector<std::string> JournalDirs(const std::string& root);

// One pass over the logs; with `follow`, from where the previous pass
// stopped.
void CollectLogs(const ScanOptions& options, const RulePack& rules, Facts& facts,
                 LogFollow* follow = nullptr);

// What a matching line names, for evidence: URLs, IPv4 addresses, and paths
// under temp dirs, in order, each once. Pure.
std::vector<std::string> CaptureFromLine(std::string_view line,
                                         const std::vector<std::string>& what);

}  // namespace deminer
