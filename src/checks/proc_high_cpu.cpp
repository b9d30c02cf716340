// proc.high-cpu: sustained CPU use by a process that is not expected to use it.
#include <fmt/format.h>

#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

extern const Check kProcHighCpu;

namespace {

// A scan never sleeps to sample: the average over the process's life is its CPU
// time over its age, both from /proc/PID/stat.
constexpr double kMinAgeSeconds = 120;
constexpr double kMinCores = 0.8;

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const HostInfo& h = ctx.facts.host;
  const auto ticks = static_cast<double>(h.clock_ticks);
  for (const Process& p : ctx.facts.processes) {
    if (p.kernel_thread || IsSelf(ctx, p)) continue;
    const double age = h.uptime_s - static_cast<double>(p.start_ticks) / ticks;
    if (age < kMinAgeSeconds) continue;
    const double cores = static_cast<double>(p.cpu_ticks) / ticks / age;
    if (cores < kMinCores) continue;
    if (NamesProcess(ctx.rules.cpu_expected, p)) continue;
    Finding f = ProcessFinding(kProcHighCpu.info, ctx, p, Severity::kMedium);
    f.evidence["cpu_seconds"] = static_cast<uint64_t>(static_cast<double>(p.cpu_ticks) / ticks);
    f.evidence["age_seconds"] = static_cast<uint64_t>(age);
    f.evidence["average_cores"] = fmt::format("{:.2f}", cores);
    f.evidence["threads"] = p.threads;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kProcHighCpu = {
    {"proc.high-cpu", "Sustained high CPU use by an unexpected process", Severity::kMedium,
     Kind::kCompromise, Scope::kProcesses, "T1496",
     "Find out what the process is doing (its command line, parent and connections). If it "
     "is legitimate, add its name to cpu_expected in a local rule file (/etc/deminer/rules.d). "
     "Set CPU limits on containers (--cpus) so a miner cannot take the host.",
     "Average CPU use over the process's whole life (CPU time / age, no sampling) of at least "
     "0.8 cores for a process older than two minutes, excluding compilers, encoders and other "
     "programs listed as expected to use CPU."},
    Run};

}  // namespace deminer
