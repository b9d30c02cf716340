// container.no-limits: no memory, CPU or PIDs limit. A miner takes every core
// the container may use; without a CPU limit that is every core of the host.
#include <fmt/format.h>

#include "checks/container_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kContainerNoLimits;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.runtime_settings) continue;
    std::vector<std::string> missing;
    if (c.cpu_limit <= 0) missing.emplace_back("CPU");
    if (c.memory_limit <= 0) missing.emplace_back("memory");
    if (c.pids_limit_settable && c.pids_limit <= 0) missing.emplace_back("PIDs");
    if (missing.empty()) continue;
    const bool cpu = c.cpu_limit <= 0;
    const std::string key = cpu ? "cpus" : c.memory_limit <= 0 ? "mem_limit" : "pids_limit";
    Finding f = ConfigFinding(kContainerNoLimits.info, c, cpu ? Severity::kMedium : Severity::kLow,
                              key, fmt::format("no {} limit", Join(missing, ", ")),
                              {"cpus: \"1.0\", mem_limit: 512m, pids_limit: 256 (sized to the app)",
                               "--cpus 1 --memory 512m --pids-limit 256 (sized to the app)",
                               "resources.limits: {cpu: \"1\", memory: 512Mi}"});
    f.evidence["missing"] = missing;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kContainerNoLimits = {
    {"container.no-limits", "Container has no CPU, memory or PIDs limit", Severity::kMedium,
     Kind::kWeakness, Scope::kContainers, "T1496",
     "Limit each container to what it needs: a hijacked one then mines on a core, not the "
     "host, and a fork bomb stops at its PIDs limit.",
     "NanoCpus/CpuQuota, Memory and PidsLimit (live, inspect); cpus, mem_limit, pids_limit and "
     "deploy.resources.limits (Compose); resources.limits (Kubernetes, whose PIDs limit is "
     "per node). Medium without a CPU limit, low otherwise."},
    Run};

}  // namespace deminer
