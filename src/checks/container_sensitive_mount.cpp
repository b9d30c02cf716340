// container.sensitive-mount: the Docker socket or a sensitive host path mounted
// into a container. The socket is the host's root: whoever can talk to it
// starts a privileged container of their own.
#include <fmt/format.h>

#include "checks/container_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kContainerSensitiveMount;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.runtime_settings) continue;
    for (const ConfigMount& m : c.mounts) {
      if (m.type != "bind" && m.type != "hostPath") continue;
      const bool socket = IsEngineSocket(m.source);
      if (!socket && !IsSensitiveHostPath(m.source)) continue;
      Severity sev = Severity::kHigh;
      if (socket || m.source == "/")
        sev = Severity::kCritical;
      else if (m.read_only)
        sev = Severity::kMedium;
      Finding f = ConfigFinding(
          kContainerSensitiveMount.info, c, sev, "volumes",
          fmt::format("host {} mounted at {}{}", m.source, m.target,
                      m.read_only ? " (read-only)" : ""),
          {"remove this volume; give the app the data it needs through its own volume",
           "drop this -v/--mount; give the app the data it needs through its own volume",
           "remove this hostPath volume"},
          m.line, m.source + ":" + m.target);
      if (socket) {
        f.evidence["why"] =
            "the container engine's API socket: whoever reaches it runs a privileged container "
            "of their own (read-only mounts do not help: the socket is still writable)";
      }
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kContainerSensitiveMount = {
    {"container.sensitive-mount", "Docker socket or sensitive host path mounted into a container",
     Severity::kCritical, Kind::kWeakness, Scope::kContainers, "T1611",
     "Remove the mount. If a tool must read the engine, give it a socket proxy that allows only "
     "the read calls it makes.",
     "Bind and hostPath mounts of the engine sockets (docker.sock, podman.sock, containerd, "
     "CRI-O, /run) and of the host's /, /etc (whole, or its cron, systemd, ssh, sudoers, "
     "shadow and passwd), /root, home dirs, /proc, /sys, /boot, /dev, the engines' state and "
     "system program dirs. Sockets and / are critical; others high, medium "
     "when read-only."},
    Run};

}  // namespace deminer
