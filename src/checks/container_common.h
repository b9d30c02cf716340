// Helpers shared by the container checks: a finding about one setting of one
// container config, with the fix written the way that config is written
// (a Compose key, a `docker run` flag, a Kubernetes securityContext field).
#pragma once

#include <string>
#include <string_view>

#include "checks/check.h"
#include "sources/container_config.h"

namespace deminer {

struct ConfigFix {
  std::string_view compose;     // "read_only: true"
  std::string_view docker_run;  // "--read-only"
  std::string_view kubernetes;  // "securityContext.readOnlyRootFilesystem: true"
};

// An engine's API socket (docker.sock, podman.sock, containerd, CRI-O, or /run).
bool IsEngineSocket(std::string_view path);
// A host path whose contents give the host away when mounted into a container.
bool IsSensitiveHostPath(std::string_view path);
// A capability that is a known way out of a container (SYS_ADMIN, ...).
bool IsDangerousCap(std::string_view cap);
// Docker's `bridge` or Podman's `podman`: the network every container
// started without one shares.
bool IsEngineDefaultNetwork(std::string_view network);

// "", "0.0.0.0", "::": a port published on every address of the host.
bool OnAllAddresses(std::string_view ip);

// The service a port is known for when it should not face the network
// (databases, caches, engine and cluster APIs, admin panels); empty otherwise.
std::string_view SensitiveService(uint16_t port);

// The fix as this config's own source writes it.
std::string FixText(const ContainerConfig& c, const ConfigFix& fix);

// A finding about `setting` (what is wrong, "privileged: true") of config `c`:
// subject "<c.Describe()>: <setting>", path and line of `key` for offline
// configs, the container for live ones, evidence (source, name, image, file,
// setting, fix) and the fix as the remediation, before the check's own.
// Fingerprint key: the source, file, name, `key` and `detail` (which of
// several mounts or ports). `line`, when known, is the setting's own line.
Finding ConfigFinding(const CheckInfo& info, const ContainerConfig& c, Severity severity,
                      std::string_view key, const std::string& setting, const ConfigFix& fix,
                      int line = 0, std::string_view detail = "");

}  // namespace deminer
