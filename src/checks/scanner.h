// Runs a scan: asks the sources for the facts the chosen scopes need, then runs
// every check of those scopes over them. Nothing here renders or exits; the
// caller gets the findings and the gaps.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "checks/exposure_table.h"
#include "core/finding.h"
#include "match/rule_pack.h"
#include "sources/facts.h"

namespace deminer {

struct LogFollow;

struct ScanOptions {
  std::set<Scope> scopes{std::begin(kAllScopes), std::end(kAllScopes)};
  std::string root = "/";          // file system root; its proc/ is read for processes
  bool resolve = false;            // resolve pool domains (network traffic)
  unsigned threads = 0;            // 0: one per core, plus one
  std::vector<std::string> paths;  // extra trees or files (files scope) and logs (logs scope)
  uint64_t max_content_bytes = uint64_t{32} << 20;  // files larger are hashed, not matched
  int64_t since = 0;            // logs: lines before this time (unix seconds) are skipped; 0: all
  int64_t until = 0;            // logs: lines after this time are skipped; 0: all
  LogFollow* follow = nullptr;  // logs: read on from the previous pass (scan --follow)
  // databases: PostgreSQL servers to check besides those found (libpq conninfo or URI).
  std::vector<std::string> dsns;
  // npm: project dirs whose installed packages are compared with the
  // registry's tarballs (--verify-registry); registry URL to fetch from when
  // neither the lockfile nor npm's config names one (--registry).
  std::vector<std::string> verify_registry;
  std::string registry;
  // npm: the most tarballs fetched at once.
  unsigned registry_jobs = 8;
  // Parts, directories and logs not begun by then are skipped and named in
  // the gaps (deminer collect gives its scan part of --max-time).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct ScanResult {
  HostInfo host;
  std::chrono::system_clock::time_point started_at;
  double duration_ms = 0;
  std::vector<Finding> findings;  // most severe first, de-duplicated by fingerprint
  std::vector<Gap> skipped;
  size_t processes = 0;
  size_t sockets = 0;
  size_t containers = 0;  // containers seen: running ones with processes, and every one the engines list
  uint64_t files = 0;  // regular files read by the files scope
  size_t persistence_files = 0;
  uint64_t logs = 0;  // logs read by the logs scope
  uint64_t log_lines = 0;
  std::vector<ExposureRow> exposure;  // exposure scope: every listening socket and its verdict
  bool exposure_scanned = false;       // the exposure scope ran (the report shows the table)
};

// Reads the facts for `options` (all I/O happens here).
Facts CollectFacts(const ScanOptions& options, const RulePack& rules);

// Runs the checks of the chosen scopes over facts. Pure.
std::vector<Finding> RunChecks(const Facts& facts, const RulePack& rules,
                               const std::set<Scope>& scopes);

// Executables a package manager would not have put there: not under the
// system's program directories, or deleted, or in memory only.
bool UnusualExecutable(const Process& p);

// Fills the digests of the processes' unusual executables when the rule pack
// has hash IOCs, once per file, through /proc/PID/exe.
void HashUnusualExecutables(const RulePack& rules, const std::string& proc_root, unsigned threads,
                            Facts& facts);

// `facts_out`, when given, gets the facts the findings came from (their gaps
// moved into the result's `skipped`): deminer collect copies what they point to.
ScanResult RunScan(const ScanOptions& options, const RulePack& rules, Facts* facts_out = nullptr);

}  // namespace deminer
