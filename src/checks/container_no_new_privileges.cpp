// container.no-new-privileges: without it a setuid program in the image (or
// one a dropper brings) can raise the process's privileges.
#include "checks/container_common.h"

namespace deminer {

extern const Check kContainerNoNewPrivileges;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.runtime_settings || c.privileged || c.no_new_privileges.value_or(false)) continue;
    out.push_back(ConfigFinding(
        kContainerNoNewPrivileges.info, c, Severity::kLow, "security_opt",
        "no-new-privileges is not set",
        {"security_opt: [\"no-new-privileges:true\"]", "--security-opt no-new-privileges",
         "securityContext.allowPrivilegeEscalation: false"}));
  }
}

}  // namespace

const Check kContainerNoNewPrivileges = {
    {"container.no-new-privileges", "Container can gain privileges (no-new-privileges not set)",
     Severity::kLow, Kind::kWeakness, Scope::kContainers, "T1548.001",
     "Set no-new-privileges: setuid binaries then cannot raise a process's privileges.",
     "SecurityOpt without no-new-privileges (live, inspect, Compose); "
     "allowPrivilegeEscalation not false (Kubernetes)."},
    Run};

}  // namespace deminer
