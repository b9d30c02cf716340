// proc.exe-deleted: a process whose program is no longer on disk, or never was.
#include "checks/check.h"

namespace deminer {

extern const Check kProcExeDeleted;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const Process& p : ctx.facts.processes) {
    if (p.kernel_thread || IsSelf(ctx, p)) continue;
    const bool memfd = p.exe.starts_with("/memfd:");
    if (!p.exe_deleted && !memfd) continue;
    const bool temp = IsTempPath(p.exe);
    // A binary replaced by a package upgrade also shows as deleted: low on its
    // own, high when it ran from a temp dir or from memory only. Runtimes that
    // execute a sealed copy of themselves (runc against CVE-2019-5736) are low.
    const bool known_memfd =
        memfd && ctx.rules.memfd_expected.Match(std::string_view(p.exe).substr(7)) != nullptr;
    const Severity sev = (memfd && !known_memfd) || temp ? Severity::kHigh : Severity::kLow;
    Finding f = ProcessFinding(kProcExeDeleted.info, ctx, p, sev);
    f.evidence["reason"] = known_memfd ? "executable is a memory file of a known runtime"
                           : memfd     ? "executable is an anonymous memory file (fileless)"
                           : temp      ? "executable was deleted from a temp directory"
                                       : "executable was deleted or replaced on disk";
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kProcExeDeleted = {
    {"proc.exe-deleted", "Program deleted from disk while running", Severity::kHigh,
     Kind::kCompromise, Scope::kProcesses, "T1070.004",
     "Copy the running program out before stopping it: /proc/PID/exe still reads it "
     "(deminer collect does this). If a package upgrade replaced it, restart the service.",
     "/proc/PID/exe points at a deleted file or a memfd. Droppers delete the miner after "
     "starting it; fileless loaders run it from memory."},
    Run};

}  // namespace deminer
