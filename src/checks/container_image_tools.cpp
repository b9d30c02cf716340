// container.image-tools: the final image ships the tools a dropper needs
// (curl, wget, nc, busybox). Seed 000 removed them (`apk del curl wget bash`)
// so the next exploit could not fetch a payload.
#include "checks/container_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kContainerImageTools;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    if (!c.tools_known || c.tools.empty()) continue;
    std::vector<std::string> fetchers, shells;
    for (const std::string& t : c.tools) {
      const bool shell = t.starts_with("sh ") || t.starts_with("bash ") || t.starts_with("ash ");
      (shell ? shells : fetchers).push_back(t);
    }
    // A shell alone is nearly every image (and Node's child_process needs
    // one); it is reported only beside a tool that can fetch.
    if (fetchers.empty()) continue;
    Finding f = ConfigFinding(
        kContainerImageTools.info, c, Severity::kLow, "tools", "ships " + Join(fetchers, ", "),
        {"remove them in the final stage (apk del curl wget; apt-get purge curl wget) or build "
         "on a distroless or slim base",
         "rebuild the image without them (remove them in the final stage, or a distroless base)",
         "rebuild the image without them (remove them in the final stage, or a distroless base)"});
    f.evidence["tools"] = fetchers;
    if (!shells.empty()) f.evidence["shells"] = shells;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kContainerImageTools = {
    {"container.image-tools", "Image ships curl, wget or nc", Severity::kLow, Kind::kWeakness,
     Scope::kContainers, "T1105",
     "An app's final image rarely needs a downloader; a dropper always does. Seed 000's "
     "exploit fetched its miner with the image's own BusyBox wget.",
     "The file system of running containers and unpacked images, and the install lines of a "
     "Dockerfile's final stage that are not undone later: curl, wget, nc, ncat, socat and "
     "busybox (whose applets include wget and nc). Shells are listed beside them, not alone."},
    Run};

}  // namespace deminer
