// proc.masquerade: a process that poses as a kernel thread or a system daemon.
#include <fmt/format.h>

#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

extern const Check kProcMasquerade;

namespace {

std::string Normalize(std::string_view s) {
  std::string out = ToLower(s);
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const Process& p : ctx.facts.processes) {
    if (p.kernel_thread || IsSelf(ctx, p) || p.state == 'Z') continue;
    const std::string name = p.DisplayName();
    const std::string cmdline = p.CommandLine();
    std::string reason;
    std::string imitates;

    // A user-space process shown as "[kworker/0:1]" or named like a kernel thread.
    const bool bracketed =
        !p.argv.empty() && p.argv[0].starts_with('[') && Trim(p.argv[0]).ends_with(']');
    const std::string inner =
        bracketed ? std::string(Trim(p.argv[0]).substr(1, Trim(p.argv[0]).size() - 2)) : name;
    const auto& kthreads = ctx.rules.kernel_thread_prefixes;
    if (bracketed || kthreads.Match(inner) != nullptr) {
      reason = bracketed ? "user-space process shows its name in brackets like a kernel thread"
                         : "user-space process named like a kernel thread";
      imitates = inner;
    } else if (kthreads.Match(p.comm) != nullptr) {
      // prctl(PR_SET_NAME) changes what top and ps -o comm show, not argv.
      reason = "user-space process set its name (comm) to a kernel thread's";
      imitates = p.comm;
    }
    // A system daemon's name on a program that lives somewhere else, or a near miss
    // of the name (seed 001's "dbus_daemon" for "dbus-daemon").
    if (reason.empty() && !p.exe.empty()) {
      for (const std::string_view candidate : {std::string_view(name), std::string_view(p.comm)}) {
        for (const SystemDaemon& d : ctx.rules.system_daemons) {
          const bool exact = candidate == d.name;
          const bool near = !exact && Normalize(candidate) == Normalize(d.name);
          if (!exact && !near) continue;
          if (near) {
            reason =
                fmt::format("named '{}', a near miss of the system daemon '{}'", candidate, d.name);
          } else if (!d.IsReal(p.exe)) {
            reason = fmt::format("named like the system daemon '{}' but runs {}", d.name, p.exe);
          }
          if (!reason.empty()) {
            imitates = d.name;
            break;
          }
        }
        if (!reason.empty()) break;
      }
    }
    if (reason.empty()) continue;
    Finding f = ProcessFinding(kProcMasquerade.info, ctx, p, Severity::kHigh);
    f.evidence["imitates"] = Printable(imitates);
    f.evidence["reason"] = reason;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kProcMasquerade = {
    {"proc.masquerade", "Process poses as a kernel thread or system daemon", Severity::kHigh,
     Kind::kCompromise, Scope::kProcesses, "T1036.004",
     "Compare the executable with the real one (package manager verification, e.g. "
     "`dpkg -S` / `debsums`), collect it, then stop the process and find its parent.",
     "Kernel threads have no executable and no command line; a user-space process that "
     "shows a kernel thread's name (kworker, kswapd0...) is hiding. A process that carries a "
     "system daemon's name (dbus-daemon, sshd, systemd-*) but runs from another directory, "
     "or a near miss of such a name (dbus_daemon), is imitating it."},
    Run};

}  // namespace deminer
