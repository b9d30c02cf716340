// npm.npmrc-registry: an .npmrc that sends npm to another registry decides
// where every package comes from. Plain http lets anyone on the path swap
// tarballs; a raw IP or a host that neither npm's own config nor the
// lockfile's resolved URLs use is how a dependency-confusion or typo'd
// registry gets in. No registry host is written here: the reference is what
// npm's config says (user, global, default) and what the lockfile resolved from.
#include <fmt/format.h>

#include <map>
#include <set>

#include "checks/command_risk.h"
#include "checks/npm_npmrc_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kNpmNpmrcRegistry;

namespace {

bool IsIpLiteral(std::string_view host) {
  if (StartsWith(host, "[")) return true;
  if (host.empty()) return false;
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool IsRegistryKey(std::string_view key) { return key == "registry" || EndsWith(key, ":registry"); }

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const NpmProject& project : ctx.facts.npm_projects) {
    // Hosts npm would use anyway: the user's, global and default registry,
    // and the hosts the lockfile resolved registry tarballs from.
    std::set<std::string> expected;
    for (const NpmrcSetting& s : project.npmrc)
      if (s.key == "registry" && s.scope != "project") expected.insert(UrlHost(s.value));
    for (const NpmPackage& p : project.packages)
      if (p.resolved.find("/-/") != std::string::npos) expected.insert(UrlHost(p.resolved));
    expected.erase("");
    for (const NpmrcSetting& s : project.npmrc) {
      if (!IsRegistryKey(s.key) || s.scope == "default" || s.value.empty()) continue;
      const std::string host = UrlHost(s.value);
      std::vector<std::string> reasons;
      Severity sev = Severity::kInfo;
      const bool http = StartsWith(ToLower(s.value), "http://");
      const bool loopback = IsLoopbackAddress(host);
      if (http) {
        reasons.emplace_back(loopback ? "plain http (to loopback)"
                                      : "plain http: tarballs can be swapped on the way");
        sev = std::max(sev, loopback ? Severity::kMedium : Severity::kHigh);
      }
      if (IsIpLiteral(host) && !loopback) {
        reasons.emplace_back("a raw IP address, not a registry's name");
        sev = std::max(sev, Severity::kMedium);
      }
      const bool scoped = s.key != "registry";
      if ((s.scope == "project" || scoped) && !expected.empty() && !expected.contains(host)) {
        reasons.push_back(
            fmt::format("a host npm's own config and the lockfile do not use ({} elsewhere)",
                        Join(std::vector<std::string>(expected.begin(), expected.end()), ", ")));
        sev = std::max(sev, s.scope == "project" ? Severity::kMedium : Severity::kLow);
      }
      if (sev == Severity::kInfo) continue;
      Finding f =
          NpmrcFinding(kNpmNpmrcRegistry.info, ctx, project, s, sev,
                       fmt::format("{} = {} in {}", s.key, Printable(s.value, 256), s.file),
                       fmt::format("{}\n{}\n{}\n{}", s.file, s.key, s.value, project.container_id));
      f.evidence["key"] = s.key;
      f.evidence["registry"] = Printable(s.value, 256);
      f.evidence["reasons"] = reasons;
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kNpmNpmrcRegistry = {
    {"npm.npmrc-registry", "An .npmrc points npm at an unexpected registry", Severity::kHigh,
     Kind::kWeakness, Scope::kNpm, "T1195.002",
     "Remove the registry override, or point it at your organisation's mirror over https.",
     "registry and @scope:registry in the project's, user's and global .npmrc: plain http, raw IP "
     "addresses, "
     "or hosts that neither npm's own config nor the lockfile's resolved URLs use."},
    Run};

}  // namespace deminer
