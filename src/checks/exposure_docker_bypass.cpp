// exposure.docker-bypass: a port Docker or Podman publishes through its own
// NAT chains while ufw is on or the INPUT chain filters that port. DNAT
// happens before INPUT, so neither applies: the forward chains decide, and
// DOCKER-USER is where Docker lets you filter.
#include <fmt/format.h>

#include "checks/exposure_common.h"

namespace deminer {

extern const Check kExposureDockerBypass;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const FirewallState& fw = ctx.facts.firewall;
  for (const ExposureRow& r : BuildExposureTable(ctx.facts)) {
    if (!r.published || !OwnRow(ctx.facts, r)) continue;
    if (r.verdict != Reach::kReachable && r.verdict != Reach::kReachableSensitive) continue;
    // A port the input rules (ufw's among them) let in anyway is public on purpose.
    if (!r.input_filters && !(fw.ufw.enabled && r.sensitive)) continue;
    Finding f = RowFinding(kExposureDockerBypass.info, ctx.facts, r, Severity::kHigh, "bypass");
    f.evidence["ufw_enabled"] = fw.ufw.enabled;
    f.evidence["input_filters_port"] = r.input_filters;
    f.evidence["docker_user_rules"] = DockerUserFilters(fw);
    f.remediation =
        fmt::format(
            "INPUT rules and ufw do not see this port: {} DNATs it before "
            "INPUT. Publish it on 127.0.0.1 only, or filter it in the "
            "forward path: {}. ",
            r.engine.empty() ? "a DNAT rule" : r.engine, f.evidence["fix"].get<std::string>()) +
        std::string(kExposureDockerBypass.info.remediation);
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kExposureDockerBypass = {
    {"exposure.docker-bypass", "Published container port bypasses INPUT and ufw", Severity::kHigh,
     Kind::kWeakness, Scope::kExposure, "T1190",
     "Docker: rules in the DOCKER-USER chain run before Docker's own; match the published port "
     "with `-m conntrack --ctorigdstport`.",
     "A port published through Docker's or Podman's NAT chains that other hosts reach through "
     "the forward chains, on a host whose ufw or INPUT rules look like they close it."},
    Run};

}  // namespace deminer
