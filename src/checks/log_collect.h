// The logs scope's I/O: finds the logs of the scanned system (containers'
// json-file and k8s-file logs, PostgreSQL, Redis, nginx and Apache, auth.log
// and secure) and the PATHs given, reads each once, and groups the lines the
// log rules fire on into Facts::log_hits. Logs are read in parallel.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "checks/scanner.h"
#include "match/rule_pack.h"
#include "sources/facts.h"

namespace deminer {

struct LogTarget {
  std::string path;   // where to read it on this host ("-": stdin)
  std::string shown;  // as the scanned system names it
  LogKind kind = LogKind::kFile;
  std::string container_id;
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

void CollectLogs(const ScanOptions& options, const RulePack& rules, Facts& facts);

// What a matching line names, for evidence: URLs, IPv4 addresses, and paths
// under temp dirs, in order, each once. Pure.
std::vector<std::string> CaptureFromLine(std::string_view line,
                                         const std::vector<std::string>& what);

}  // namespace deminer
