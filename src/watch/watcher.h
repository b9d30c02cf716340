// deminer watch: the daemon. It learns of every exec from the process events
// connector and judges the new process with the same process checks as scan;
// sees files written into temp and persistence dirs through fanotify and
// judges them with the files checks; optionally denies exec from temp dirs
// (and of files whose hash is an IOC); sweeps sockets every few seconds for
// pool and C2 connections; follows the logs; runs a full scan at start and on
// a schedule. Alerts are JSON lines with the same finding fields as scan,
// de-duplicated by fingerprint. Responses (suspend, kill) only when asked.
// When a payload keeps coming back, it names the dropper.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "match/rule_pack.h"
#include "watch/response.h"

namespace deminer {

struct WatchOptions {
  std::string output = "-";            // alerts as JSON lines; "-": stdout
  Response respond = Response::kAlert;  // for findings at or above respond_at
  Severity respond_at = Severity::kCritical;
  // For findings inside a container, at or above respond_at: "" (none),
  // "pause" or "stop", through the Docker API.
  std::string container_action;
  bool block_exec = false;  // deny exec from temp dirs and of IOC-hash files
  bool dry_run = false;     // say what a response would do, do nothing
  bool initial_scan = true;
  unsigned socket_interval_s = 3;    // sock_diag sweep for pool and C2 connections
  unsigned process_interval_s = 30;  // process table sweep (sustained CPU)
  unsigned scan_interval_s = 6 * 3600;
  unsigned log_interval_s = 5;  // 0: logs not followed
  unsigned dedup_window_s = 600;
  std::vector<std::string> allow;  // executables, process or container names never acted on
  std::string status_file;         // JSON health, rewritten every few seconds
  unsigned threads = 0;
};

// Runs until SIGTERM or SIGINT (SIGHUP reopens the output file). `log`
// receives the daemon's own messages (start, gaps, stop). Fails only when no
// event source at all could be opened.
Expected<void> RunWatch(const WatchOptions& options, const RulePack& rules, std::ostream& log);

}  // namespace deminer
