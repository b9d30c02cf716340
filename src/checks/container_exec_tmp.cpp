// container.exec-tmp: a writable temp dir that can run programs. Every seed's
// payload ran from /tmp; `noexec` there would have stopped the copies they saw.
#include <fmt/format.h>

#include "checks/container_common.h"

namespace deminer {

extern const Check kContainerExecTmp;

namespace {

// Why `dir` is a writable dir programs can run from; empty when it is not.
std::string Weakness(const ContainerConfig& c, std::string_view dir) {
  const ConfigMount* m = c.MountAt(dir);
  if (m != nullptr && m->target != "/") {
    if (!m->Executable()) return "";
    return fmt::format("{} is a {} mount without noexec", m->target, m->type);
  }
  if (dir == "/dev/shm") {
    // Engines mount /dev/shm noexec themselves; only the host's is a worry.
    return c.host_ipc ? "/dev/shm is the host's (ipc: host)" : "";
  }
  if (c.read_only_rootfs.value_or(false)) return "";
  return fmt::format("{} is on the writable root file system", dir);
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.runtime_settings) continue;
    // Kubernetes cannot mount an emptyDir noexec; only a writable root is a finding there.
    if (c.source == ConfigSource::kKubernetes && c.read_only_rootfs.value_or(false)) continue;
    std::vector<std::string> why;
    for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm"}) {
      if (std::string w = Weakness(c, dir); !w.empty()) why.push_back(std::move(w));
    }
    if (why.empty()) continue;
    Finding f = ConfigFinding(
        kContainerExecTmp.info, c, Severity::kMedium, "tmpfs",
        "programs can be written and run in its temp dirs",
        {"tmpfs: [\"/tmp:rw,noexec,nosuid,nodev,size=64m\"] (and /var/tmp), with read_only: true",
         "--tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m (and /var/tmp), with --read-only",
         "securityContext.readOnlyRootFilesystem: true (an emptyDir cannot be noexec; keep "
         "writable dirs few)"});
    f.evidence["why"] = why;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kContainerExecTmp = {
    {"container.exec-tmp", "Container temp dirs can run programs", Severity::kMedium,
     Kind::kWeakness, Scope::kContainers, "T1105",
     "Mount /tmp and /var/tmp as tmpfs with noexec,nosuid,nodev on a read-only root: a payload "
     "dropped there then fails with \"Permission denied\" (and deminer's logs scope reports the "
     "refusal).",
     "For /tmp, /var/tmp and /dev/shm: the mount that covers it (for a running container, the "
     "mount its init really has) lacks noexec, or there is none and the root file system is "
     "writable. /dev/shm only when it is the host's."},
    Run};

}  // namespace deminer
