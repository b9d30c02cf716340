// host.randomx-tuning: host settings that RandomX miners make for speed.
#include <fmt/format.h>

#include "checks/check.h"

namespace deminer {

extern const Check kHostRandomxTuning;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const HostInfo& h = ctx.facts.host;
  const bool msr = h.msr_module_loaded.value_or(false);
  const bool huge = h.nr_hugepages.value_or(0) > 0;
  if (!msr && !huge) return;
  Finding f = NewFinding(kHostRandomxTuning.info, msr && huge ? Severity::kMedium : Severity::kLow,
                         fmt::format("host {}", h.hostname), "host");
  if (msr) f.evidence["msr_module"] = "loaded (listed in /proc/modules)";
  if (huge) f.evidence["vm.nr_hugepages"] = h.nr_hugepages.value_or(0);
  out.push_back(std::move(f));
}

}  // namespace

const Check kHostRandomxTuning = {
    {"host.randomx-tuning", "Host tuned the way RandomX miners tune it", Severity::kMedium,
     Kind::kCompromise, Scope::kProcesses, "T1496",
     "If nobody here configured huge pages (databases sometimes do) or loaded the msr module, "
     "a miner may have: XMRig runs `modprobe msr` and raises vm.nr_hugepages when it can. "
     "Look for proc.miner and proc.randomx findings, and check /etc/sysctl.d for the change.",
     "The msr kernel module loaded, and vm.nr_hugepages above 0. Each alone is low (both have "
     "honest uses); together medium."},
    Run};

}  // namespace deminer
