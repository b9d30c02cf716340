// proc.exe-in-temp: a process runs a program stored in a temp directory.
#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

extern const Check kProcExeInTemp;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const Process& p : ctx.facts.processes) {
    if (p.kernel_thread || p.exe.empty() || IsSelf(ctx, p) || !IsTempPath(p.exe)) continue;
    const bool hidden = Basename(p.exe).starts_with('.') || p.exe.find("/.") != std::string::npos;
    Finding f = ProcessFinding(kProcExeInTemp.info, ctx, p, Severity::kHigh);
    if (hidden) f.evidence["hidden_path"] = true;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kProcExeInTemp = {
    {"proc.exe-in-temp", "Program running from a temp directory", Severity::kHigh,
     Kind::kCompromise, Scope::kProcesses, "T1036.005",
     "Programs do not run from /tmp, /var/tmp or /dev/shm in a healthy server: droppers put "
     "miners there. Collect the file (deminer collect), stop the process, and mount temp dirs "
     "noexec (in containers: --tmpfs /tmp:noexec,nosuid,nodev).",
     "The executable of the process (as the process's own mount namespace sees it, so a "
     "container's /tmp counts) lies under /tmp, /var/tmp, /dev/shm, /dev/mqueue or /run/user."},
    Run};

}  // namespace deminer
