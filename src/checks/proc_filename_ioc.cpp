// proc.filename-ioc: a process whose executable path matches a filename IOC
// (Loki-style filename-iocs.txt: REGEX;SCORE).
#include <fmt/format.h>

#include "checks/check.h"

namespace deminer {

extern const Check kProcFilenameIoc;

namespace {

Severity FromScore(int score) {
  if (score >= 80) return Severity::kHigh;
  if (score >= 50) return Severity::kMedium;
  return Severity::kLow;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  if (!ctx.rules.filename_db) return;
  for (const Process& p : ctx.facts.processes) {
    if (p.kernel_thread || IsSelf(ctx, p) || p.exe.empty()) continue;
    const std::vector<size_t> hits = ctx.rules.MatchFilename(p.exe);
    if (hits.empty()) continue;
    int best = 0;
    auto matched = nlohmann::ordered_json::array();
    for (const size_t i : hits) {
      const FilenameIoc& ioc = ctx.rules.filename_iocs[i];
      best = std::max(best, ioc.score);
      matched.push_back({{"regex", ioc.regex}, {"score", ioc.score}, {"source", ioc.source}});
    }
    Finding f = ProcessFinding(kProcFilenameIoc.info, ctx, p, FromScore(best));
    f.evidence["matched"] = std::move(matched);
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kProcFilenameIoc = {
    {"proc.filename-ioc", "Process executable matches a filename IOC", Severity::kHigh,
     Kind::kCompromise, Scope::kProcesses, "T1036",
     "Examine the executable and how it got there; the IOC's source says which intrusion it "
     "belongs to.",
     "Executable paths matched against the filename IOCs (regular expressions with a score, as "
     "Loki's filename-iocs.txt) of the loaded rule directories; score 80+ is high."},
    Run};

}  // namespace deminer
