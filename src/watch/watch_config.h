// The watch daemon's policy file (deminer watch --config FILE), YAML:
//
//   output: /var/log/deminer/alerts.jsonl   # or "-" for stdout
//   syslog: unix:/dev/log                   # or udp:HOST:PORT (numeric)
//   webhook: https://hooks.example/T000/B000
//   state_dir: /var/lib/deminer             # quarantine and events.db
//   store: true                             # keep alerts in STATE/events.db
//   policies:                               # first match wins
//     - {check: proc.miner, at: high, respond: kill, quarantine: true}
//     - {check: "net.*", at: high, block: true}
//   # the last, catch-all policy, for findings at or above respond_at:
//   respond: suspend         # alert | suspend | kill
//   respond_at: critical
//   container_action: pause  # none | pause | stop | disconnect
//   quarantine: false        # move the finding's file into the quarantine
//   block_remote: false      # add the finding's remote address to nftables
//   block_timeout: 86400
//   block_exec: true         # deny exec from temp dirs
//   dry_run: false
//   allow: [/usr/local/bin/backup-agent, node, my-db-container]   # never acted on
//   status_file: /run/deminer/status.json
//   intervals: {sockets: 3, processes: 30, scan: 21600, logs: 5}   # seconds; 0 turns one off
//   dedup_window: 600
//   rules: [/etc/deminer/rules.d]
//
// Flags given on the command line override the file. Unknown keys are an
// error with their line, so a typo does not silently turn a policy off.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "watch/watcher.h"

namespace deminer {

struct WatchConfig {
  WatchOptions options;            // options.policies: the file's list, in order
  Policy defaults;                 // the catch-all policy (respond, respond_at, ...)
  std::vector<std::string> rules;  // extra rule directories

  // options with the catch-all policy last, when it does anything.
  WatchOptions Final() const;
};

// Parses the text of a config file over `base` (defaults and flags already set). Pure.
Expected<WatchConfig> ParseWatchConfig(const std::string& text, const std::string& path,
                                       WatchConfig base);

}  // namespace deminer
