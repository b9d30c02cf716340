// container.root-user: the container's process runs as root. Seed 000's
// dropper wrote a systemd unit and ran chattr and iptables, all of which need
// root in the container.
#include <fmt/format.h>

#include "checks/container_common.h"

namespace deminer {

extern const Check kContainerRootUser;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.RunsAsRoot()) continue;
    // A Dockerfile without USER leaves it to its base image; Compose and
    // Kubernetes without a user leave it to the image. Say which.
    std::string setting;
    Severity sev = Severity::kMedium;
    if (c.user && !c.user->empty()) {
      setting = fmt::format("runs as {}", *c.user);
    } else if (c.source == ConfigSource::kLive || c.source == ConfigSource::kInspect ||
               c.source == ConfigSource::kImage) {
      setting = "runs as root (no user set in it or its image)";
    } else {
      setting = "sets no user, so it runs as the image's user: root unless the image sets USER";
      sev = Severity::kLow;
    }
    out.push_back(
        ConfigFinding(kContainerRootUser.info, c, sev, "user", setting,
                      {"user: \"1000:1000\" (a user the app's files allow)", "--user 1000:1000",
                       "securityContext.runAsNonRoot: true and runAsUser: 1000"}));
  }
}

}  // namespace

const Check kContainerRootUser = {
    {"container.root-user", "Container runs as root", Severity::kMedium, Kind::kWeakness,
     Scope::kContainers, "T1078.003",
     "Run the app as an unprivileged user (USER in the Dockerfile's final stage, or user: in "
     "Compose). Node images have `node`, PostgreSQL's run as `postgres`.",
     "The user of live containers, inspect files and images (empty, root or 0); Compose, "
     "Kubernetes and Dockerfiles that set none or root (low when they leave it to the image)."},
    Run};

}  // namespace deminer
