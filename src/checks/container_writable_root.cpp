// container.writable-root: the container's root file system is writable, so a
// dropper can write its payload anywhere in it (seed 001's /tmp/dbus_daemon,
// seed 000's /tmp/javae and its systemd unit).
#include "checks/container_common.h"

namespace deminer {

extern const Check kContainerWritableRoot;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.runtime_settings || c.read_only_rootfs.value_or(false)) continue;
    out.push_back(ConfigFinding(
        kContainerWritableRoot.info, c, Severity::kMedium, "read_only",
        "root file system is writable",
        {"read_only: true, with a tmpfs (noexec) for each dir it writes",
         "--read-only, with --tmpfs DIR:rw,noexec,nosuid for each dir it writes",
         "securityContext.readOnlyRootFilesystem: true, with an emptyDir for each dir it writes"}));
  }
}

}  // namespace

const Check kContainerWritableRoot = {
    {"container.writable-root", "Container root file system is writable", Severity::kMedium,
     Kind::kWeakness, Scope::kContainers, "T1105",
     "Run it read-only; the app's scratch dirs become tmpfs mounts that cannot hold programs.",
     "ReadonlyRootfs off (live, inspect), `read_only` not true (Compose), "
     "readOnlyRootFilesystem not true (Kubernetes). For a running container the root mount's "
     "real options decide."},
    Run};

}  // namespace deminer
