// proc.ioc-cmdline: a process whose command line names a known C2, dropper or
// download host (a `wget accrochezvous.fr/...` while it runs).
#include <fmt/format.h>

#include "checks/check.h"
#include "checks/command_risk.h"
#include "core/strings.h"

namespace deminer {

extern const Check kProcIocCmdline;

namespace {

// The first argument word naming an IOC host, and that IOC's source.
const std::string* FirstIocHost(const Process& p, const RulePack& rules, std::string& host) {
  for (size_t i = 1; i < p.argv.size(); ++i) {
    // Arguments may carry several words ("sh -c 'wget x | sh'").
    for (std::string_view word : Split(p.argv[i], ' ')) {
      if (const size_t eq = word.find('='); eq != std::string_view::npos) {
        word.remove_prefix(eq + 1);
      }
      host = HostOf(word);
      if (host.empty()) continue;
      if (const std::string* source = rules.MatchC2(host, 0)) return source;
    }
  }
  return nullptr;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  if (ctx.rules.c2_addresses.empty()) return;
  for (const Process& p : ctx.facts.processes) {
    if (p.kernel_thread || IsSelf(ctx, p)) continue;
    std::string host;
    const std::string* source = FirstIocHost(p, ctx.rules, host);
    if (source == nullptr) continue;
    Finding f = ProcessFinding(kProcIocCmdline.info, ctx, p, Severity::kCritical);
    f.evidence["ioc_host"] = host;
    f.evidence["ioc"] = *source;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kProcIocCmdline = {
    {"proc.ioc-cmdline", "Process names a known attacker host on its command line",
     Severity::kCritical, Kind::kCompromise, Scope::kProcesses, "T1105",
     "A download or connection to a known dropper or C2 host is running now. Stop it, keep "
     "what it fetched (deminer collect), block the host on egress, and find which process "
     "started it: the ancestry shows the parent.",
     "Every argument (and every word of a `sh -c` script) of every process, as a URL or "
     "host, against the C2, dropper and download hosts of the rule pack and of Loki "
     "c2-iocs.txt files: seed 000's `accrochezvous.fr`, seed 001's addresses."},
    Run};

}  // namespace deminer
