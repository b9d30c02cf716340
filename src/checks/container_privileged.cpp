// container.privileged: a privileged container has every capability, every
// device and no seccomp or AppArmor: root in it is root on the host.
#include "checks/container_common.h"

namespace deminer {

extern const Check kContainerPrivileged;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.runtime_settings || !c.privileged) continue;
    out.push_back(ConfigFinding(
        kContainerPrivileged.info, c, Severity::kCritical, "privileged", "privileged",
        {"remove `privileged: true`; add only the capability it needs "
         "with cap_add",
         "drop --privileged; add only the needed --cap-add", "securityContext.privileged: false"}));
  }
}

}  // namespace

const Check kContainerPrivileged = {
    {"container.privileged", "Privileged container", Severity::kCritical, Kind::kWeakness,
     Scope::kContainers, "T1611",
     "A miner that lands in a privileged container can load kernel modules, mount the host's "
     "disks and write the host's cron: it is the host.",
     "Containers run with --privileged, `privileged: true` (Compose) or "
     "securityContext.privileged (Kubernetes), live and in configs."},
    Run};

}  // namespace deminer
