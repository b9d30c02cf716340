// The watch daemon's policy file (deminer watch --config FILE), YAML:
//
//   output: /var/log/deminer/alerts.jsonl   # or "-" for stdout
//   respond: kill            # alert | suspend | kill
//   respond_at: critical     # the lowest severity a response applies to
//   container_action: pause   # none | pause | stop, for findings in a container
//   block_exec: true         # deny exec from temp dirs
//   dry_run: false
//   allow: [/usr/local/bin/backup-agent, node]   # never acted on
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
  WatchOptions options;
  std::vector<std::string> rules;  // extra rule directories
};

// Parses the text of a config file over `base` (defaults and flags already set). Pure.
Expected<WatchConfig> ParseWatchConfig(const std::string& text, const std::string& path,
                                       WatchConfig base);

}  // namespace deminer
