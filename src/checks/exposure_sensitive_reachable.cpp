// exposure.sensitive-reachable: a database, cache, engine API or admin panel
// that other hosts can connect to by the packet filter rules in force. Seed
// 004's PostgreSQL was one: its owner believed a firewall kept 5432 local.
#include <fmt/format.h>

#include "checks/exposure_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kExposureSensitiveReachable;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ExposureRow& r : BuildExposureTable(ctx.facts)) {
    if (r.verdict != Reach::kReachableSensitive) continue;
    // An engine API on TCP is root on the host for whoever connects.
    Severity sev = r.service.starts_with("docker-api") || r.service == "kubelet" ||
                           r.service == "kubernetes-api" || r.service == "etcd"
                       ? Severity::kCritical
                       : Severity::kHigh;
    if (!r.only_from.empty()) sev = Severity::kMedium;
    Finding f = RowFinding(kExposureSensitiveReachable.info, ctx.facts, r, sev);
    const std::string what = r.service.empty() ? "it" : r.service;
    std::string fix = f.evidence["fix"].get<std::string>();
    f.remediation = r.published
                        ? fmt::format(
                              "Publish {} on 127.0.0.1 only (-p 127.0.0.1:{}:...), or filter "
                              "it where published ports are filtered: {}. ",
                              what, r.port, fix)
                        : fmt::format(
                              "Bind {} to 127.0.0.1 (or the private address its clients "
                              "use), or drop the port from other hosts: {}. ",
                              what, fix);
    if (!r.only_from.empty()) {
      f.remediation += fmt::format("Only {} may connect now; make sure that is meant. ",
                                   Join(r.only_from, ", "));
    }
    f.remediation += kExposureSensitiveReachable.info.remediation;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kExposureSensitiveReachable = {
    {"exposure.sensitive-reachable", "Database, cache or engine API reachable from other hosts",
     Severity::kCritical, Kind::kWeakness, Scope::kExposure, "T1190",
     "Then prove it with `deminer verify exposure`, which connects from outside the host.",
     "Judges every listening socket by the address it is bound to and the nftables, iptables "
     "and Docker/Podman NAT rules in force, and reports databases, caches, engine APIs and admin "
     "panels that another host can connect to (critical for engine and cluster APIs, high for "
     "the rest, medium when only some source addresses are accepted)."},
    Run};

}  // namespace deminer
