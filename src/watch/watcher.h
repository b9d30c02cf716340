// deminer watch: the daemon. It learns of every exec from the process events
// connector and judges the new process with the same process checks as scan;
// sees files written into temp and persistence dirs through fanotify and
// judges them with the files checks; optionally denies exec from temp dirs
// (and of files whose hash is an IOC); sweeps sockets every few seconds for
// pool and C2 connections; follows the logs; runs a full scan at start and on
// a schedule. Alerts are JSON lines with the same finding fields as scan,
// de-duplicated by fingerprint, and optionally syslog, a webhook and a SQLite
// store. Responses (suspend, kill, quarantine, block the remote address,
// pause or stop the container) only when a policy asks for them.
// When a payload keeps coming back, it names the dropper.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "checks/check.h"
#include "core/error.h"
#include "core/finding.h"
#include "match/rule_pack.h"
#include "watch/policy.h"
#include "watch/response.h"

namespace deminer {

struct WatchOptions {
  std::string output = "-";  // alerts as JSON lines; "-": stdout
  // What is done beyond the alert, the first matching policy's (policy.h);
  // none: alert only.
  std::vector<Policy> policies;
  bool block_exec = false;  // deny exec from temp dirs
  bool dry_run = false;     // say what a response would do, do nothing
  bool initial_scan = true;
  unsigned socket_interval_s = 3;    // sock_diag sweep for pool and C2 connections
  unsigned process_interval_s = 30;  // process table sweep (sustained CPU)
  unsigned scan_interval_s = 6 * 3600;
  unsigned log_interval_s = 5;  // 0: logs not followed
  unsigned dedup_window_s = 600;
  unsigned block_timeout_s = 24 * 3600;  // how long a blocked address stays blocked
  std::vector<std::string> allow;        // executables, process or container names never acted on
  std::string state_dir = "/var/lib/deminer";  // quarantine and the event store
  bool store = true;                           // keep alerts in STATE/events.db
  std::string syslog;                          // "unix:/dev/log", "udp:HOST:PORT"; "" none
  std::string webhook;                         // http(s) URL; "" none
  std::string status_file;                     // JSON health, rewritten every few seconds
  unsigned threads = 0;
};

// The findings only the daemon makes (watch.respawn, watch.exec-denied), for
// `deminer checks`.
const std::vector<const CheckInfo*>& WatchCheckInfos();

// Loads the rule pack, at start and again on SIGHUP.
using RuleLoader = std::function<Expected<RulePack>()>;

// Runs until SIGTERM or SIGINT; SIGHUP reopens the output file and reloads
// the rules. `log` receives the daemon's own messages (start, gaps, stop).
// Fails when the rules do not load or no event source could be opened.
Expected<void> RunWatch(const WatchOptions& options, const RuleLoader& load_rules,
                        std::ostream& log);

}  // namespace deminer
