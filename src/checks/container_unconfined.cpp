// container.unconfined: seccomp or AppArmor (SELinux labels) turned off, so
// the kernel's whole syscall surface and the host's files are open to it.
#include "checks/container_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kContainerUnconfined;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.runtime_settings || c.privileged) continue;
    std::vector<std::string> off;
    if (c.seccomp_unconfined) off.emplace_back("seccomp=unconfined");
    if (c.apparmor_unconfined) off.emplace_back("apparmor/label confinement off");
    if (off.empty()) continue;
    out.push_back(ConfigFinding(
        kContainerUnconfined.info, c, Severity::kHigh, "security_opt", Join(off, ", "),
        {"remove seccomp:unconfined / apparmor:unconfined from security_opt",
         "drop --security-opt seccomp=unconfined / apparmor=unconfined",
         "seccompProfile.type: RuntimeDefault (and AppArmor "
         "RuntimeDefault)"}));
  }
}

}  // namespace

const Check kContainerUnconfined = {
    {"container.unconfined", "Container runs without seccomp or AppArmor", Severity::kHigh,
     Kind::kWeakness, Scope::kContainers, "T1611",
     "Keep the engine's default profiles; if a syscall is refused, allow that one in a custom "
     "profile rather than turning confinement off.",
     "seccomp=unconfined, apparmor=unconfined, label=disable, an AppArmorProfile of "
     "\"unconfined\"; Kubernetes seccompProfile or appArmorProfile of type Unconfined."},
    Run};

}  // namespace deminer
