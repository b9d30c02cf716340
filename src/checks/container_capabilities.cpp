// container.capabilities: dangerous capabilities added, or Docker's default
// set kept when the app needs none of it.
#include <fmt/format.h>

#include <algorithm>

#include "checks/container_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kContainerCapabilities;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.runtime_settings || c.privileged) continue;  // privileged has its own check
    std::vector<std::string> added;
    for (const std::string& cap : c.cap_add) {
      if (IsDangerousCap(cap)) added.push_back(cap);
    }
    if (!added.empty()) {
      Finding f = ConfigFinding(kContainerCapabilities.info, c, Severity::kHigh, "cap_add",
                                "adds " + Join(added, ", "),
                                {"remove these from cap_add", "drop these --cap-add",
                                 "remove these from securityContext.capabilities.add"});
      f.evidence["dangerous_capabilities"] = added;
      out.push_back(std::move(f));
    }
    if (!c.DroppedAll()) {
      Finding f = ConfigFinding(
          kContainerCapabilities.info, c, Severity::kLow, "cap_drop",
          "keeps the default capabilities (no cap_drop ALL)",
          {"cap_drop: [ALL], then cap_add only what it needs (NET_BIND_SERVICE for a port "
           "below 1024)",
           "--cap-drop ALL, then --cap-add only what it needs",
           "securityContext.capabilities.drop: [ALL]"});
      f.evidence["effective_capabilities"] = c.EffectiveCaps();
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kContainerCapabilities = {
    {"container.capabilities", "Container capabilities not dropped, or dangerous ones added",
     Severity::kHigh, Kind::kWeakness, Scope::kContainers, "T1611",
     "A web app or a database needs no capability beyond, at most, binding a low port. Drop "
     "them all and add back what it needs.",
     "Added SYS_ADMIN, SYS_PTRACE, SYS_MODULE, SYS_RAWIO, NET_ADMIN, BPF, DAC_READ_SEARCH and "
     "the like (high), and the engine's default set kept, with no drop of ALL (low). Podman "
     "reports a drop of ALL as the list it dropped; both count."},
    Run};

}  // namespace deminer
