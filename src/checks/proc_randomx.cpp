// proc.randomx: the footprints RandomX miners leave in a process.
#include <fmt/format.h>

#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

extern const Check kProcRandomx;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const Process& p : ctx.facts.processes) {
    if (p.kernel_thread || IsSelf(ctx, p)) continue;
    const bool msr = !p.msr_paths.empty() && !NamesProcess(ctx.rules.msr_expected, p);
    const bool huge = p.hugetlb_kb > 0 && !NamesProcess(ctx.rules.hugepage_expected, p);
    if (!msr && !huge) continue;
    Finding f =
        ProcessFinding(kProcRandomx.info, ctx, p, msr ? Severity::kHigh : Severity::kMedium);
    if (msr) f.evidence["msr_open"] = p.msr_paths;
    if (huge) f.evidence["hugetlb_kb"] = p.hugetlb_kb;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kProcRandomx = {
    {"proc.randomx", "Process shows RandomX miner tuning", Severity::kHigh, Kind::kCompromise,
     Scope::kProcesses, "T1496",
     "Check what the process is; XMRig opens /dev/cpu/*/msr to change CPU prefetchers and "
     "maps its 2 GB RandomX dataset in huge pages. Stop it and see proc.miner for the rest.",
     "A process holding hugetlb pages (HugetlbPages in /proc/PID/status) or with "
     "/dev/cpu/N/msr open, when it is not one of the programs known to do so (databases, "
     "JVMs and hypervisors for huge pages; turbostat and friends for msr)."},
    Run};

}  // namespace deminer
