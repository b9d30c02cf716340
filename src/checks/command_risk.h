// Judges a command written into a persistence file (a cron line, a unit's
// ExecStart, a line of rc.local or .bashrc, a pm2 app): the dropper idioms of
// the rule pack's shell patterns, a miner command line, IOC hosts, pool
// domains, IOC file names and miner names. Pure: text and rules in, reasons out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "match/rule_pack.h"
#include "sources/persistence.h"

namespace deminer {

struct CommandReason {
  std::string what;   // "download-pipe-shell", "miner command line", "C2 host", ...
  std::string why;    // for a person
  std::string value;  // what matched, when it is one word
  std::string source;
  Severity severity = Severity::kInfo;
};

struct CommandRisk {
  std::vector<CommandReason> reasons;
  Severity severity = Severity::kInfo;  // the highest reason's; kInfo: nothing found

  bool Any() const { return !reasons.empty(); }
  nlohmann::ordered_json ToJson() const;
};

CommandRisk AssessCommand(std::string_view command, const RulePack& rules);

// The host of a URL or host[:port] word, lower-cased; empty when there is none.
std::string HostOf(std::string_view word);

struct CheckInfo;
struct CheckContext;
// A finding about a command in a persistence file: subject "PATH:LINE" (and
// the container), the path and line set, evidence with the kind, the command
// and the reasons. Fingerprint: the path, the container and the command text
// (not the line number, which moves when lines are added above).
Finding PersistFinding(const CheckInfo& info, const CheckContext& ctx, const PersistItem& item,
                       const PersistCommand* cmd, Severity severity);

}  // namespace deminer
