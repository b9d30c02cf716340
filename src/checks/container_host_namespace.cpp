// container.host-namespace: a container that shares the host's PID, network or
// IPC namespace sees (and can signal, sniff or bind for) the host.
#include <fmt/format.h>

#include "checks/container_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kContainerHostNamespace;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  struct Shared {
    bool ContainerConfig::*flag;
    const char* key;
    const char* setting;
    ConfigFix fix;
  };
  static const Shared kShared[] = {
      {&ContainerConfig::host_pid,
       "pid",
       "shares the host's PID namespace",
       {"remove `pid: host`", "drop --pid=host", "hostPID: false"}},
      {&ContainerConfig::host_network,
       "network",
       "shares the host's network namespace",
       {"remove `network_mode: host`; publish the ports it serves instead",
        "drop --network=host; publish the ports it serves with -p 127.0.0.1:PORT:PORT",
        "hostNetwork: false"}},
      {&ContainerConfig::host_ipc,
       "ipc",
       "shares the host's IPC namespace (and its /dev/shm)",
       {"remove `ipc: host`", "drop --ipc=host", "hostIPC: false"}},
  };
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.runtime_settings) continue;
    for (const Shared& s : kShared) {
      if (!(c.*s.flag)) continue;
      // The network namespace gives the most: the host's loopback services
      // (unauthenticated Redis, a trust-auth PostgreSQL) become the container's.
      const Severity sev = std::string_view(s.key) == "ipc" ? Severity::kMedium : Severity::kHigh;
      out.push_back(ConfigFinding(kContainerHostNamespace.info, c, sev, s.key, s.setting, s.fix));
    }
  }
}

}  // namespace

const Check kContainerHostNamespace = {
    {"container.host-namespace", "Container shares a host namespace", Severity::kHigh,
     Kind::kWeakness, Scope::kContainers, "T1611",
     "Give the container its own namespaces. With the host's network it reaches every service "
     "bound to the host's loopback; with the host's PIDs it sees and can signal host processes.",
     "--pid=host, --network=host and --ipc=host (hostPID, hostNetwork, hostIPC in Kubernetes). "
     "PID and network are high, IPC medium."},
    Run};

}  // namespace deminer
