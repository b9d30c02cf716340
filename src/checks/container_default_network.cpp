// container.default-network: a container on the engine's default network
// (Docker's `bridge`, Podman's `podman`) shares it with every container
// started without a network of its own, so a hijacked one reaches them all.
#include <fmt/format.h>

#include <algorithm>

#include "checks/container_common.h"

namespace deminer {

extern const Check kContainerDefaultNetwork;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    // Compose gives each project a network of its own; only engines' containers are judged.
    if (c.source != ConfigSource::kLive && c.source != ConfigSource::kInspect) continue;
    const auto shared =
        std::find_if(c.networks.begin(), c.networks.end(),
                     [](const std::string& n) { return IsEngineDefaultNetwork(n); });
    if (shared == c.networks.end()) continue;
    out.push_back(ConfigFinding(
        kContainerDefaultNetwork.info, c, Severity::kLow, "network",
        fmt::format("on the engine's default network \"{}\"", *shared),
        {"networks: [a network of the app's own]; `internal: true` for the database's",
         "--network APP_NET (docker network create APP_NET; --internal for a database's)",
         "a NetworkPolicy that allows only the app's peers"}));
  }
}

}  // namespace

const Check kContainerDefaultNetwork = {
    {"container.default-network", "Container on the engine's default network", Severity::kLow,
     Kind::kWeakness, Scope::kContainers, "T1210",
     "Give each app a network of its own, and its database an internal one. A user-defined "
     "bridge still reaches the internet: only `internal: true` or egress rules cut that (seed "
     "000's frontend-network did not).",
     "Live containers and inspect files attached to Docker's `bridge` or Podman's `podman` "
     "network, which every container started without --network shares."},
    Run};

}  // namespace deminer
