// container.suspicious-command: a container's or image's entrypoint and
// command run a miner, a payload from a temp dir, or a download piped into a
// shell: an image or a container made by the attacker, not only weak.
#include "checks/command_risk.h"
#include "checks/container_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kContainerSuspiciousCommand;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    std::vector<std::string> words = c.entrypoint;
    words.insert(words.end(), c.cmd.begin(), c.cmd.end());
    if (words.empty()) continue;
    const std::string command = Join(words, " ");
    const CommandRisk risk = AssessCommand(command, ctx.rules);
    if (!risk.Any() || risk.severity < Severity::kMedium) continue;
    Finding f = ConfigFinding(kContainerSuspiciousCommand.info, c, risk.severity, "image",
                              "runs " + Printable(command, 512),
                              {"find who made this service; do not run it",
                               "stop and remove this container; find who made it",
                               "delete this workload; find who made it"});
    f.kind = Kind::kCompromise;
    f.evidence["command"] = Printable(command, 4096);
    f.evidence["reasons"] = risk.ToJson();
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kContainerSuspiciousCommand = {
    {"container.suspicious-command", "Container or image runs a miner or a dropper",
     Severity::kCritical, Kind::kCompromise, Scope::kContainers, "T1610",
     "Attackers who reach a Docker API start their own container with a miner as its command. "
     "Remove it, keep its inspect and image for the record (deminer collect), and close the API.",
     "The entrypoint and command of every container, Compose service, Kubernetes container, "
     "Dockerfile and image, judged like a cron line: miner command lines, pool hosts, payloads "
     "in temp dirs, downloads piped into a shell, IOC names."},
    Run};

}  // namespace deminer
