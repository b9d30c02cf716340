// npm.npmrc-scripts: dependencies with install scripts, and nothing that
// stops npm from running them (ignore-scripts=true in an .npmrc in force).
#include <fmt/format.h>

#include <set>

#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

extern const Check kNpmNpmrcScripts;

namespace {

// The value in force: the most specific file that sets it (project first).
bool IgnoreScripts(const NpmProject& project) {
  for (const NpmrcSetting& s : project.npmrc)
    if (s.key == "ignore-scripts") return ToLower(Trim(s.value)) == "true";
  return false;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const NpmProject& project : ctx.facts.npm_projects) {
    std::set<std::string> packages;
    for (const NpmScript& s : project.scripts)
      if (!s.root) packages.insert(s.package);
    for (const NpmPackage& p : project.packages)
      if (p.has_install_script) packages.insert(p.name + "@" + p.version);
    if (packages.empty() || IgnoreScripts(project)) continue;
    Finding f =
        NewFinding(kNpmNpmrcScripts.info, Severity::kLow,
                   fmt::format("{}: {} dependencies run install scripts, ignore-scripts is not set",
                               project.display, packages.size()),
                   fmt::format("{}\n{}", project.display, project.container_id));
    f.container = ctx.facts.ContainerById(project.container_id);
    f.path = project.dir + "/.npmrc";
    f.evidence["project"] = project.display;
    std::vector<std::string> list(packages.begin(), packages.end());
    if (list.size() > 20) list.resize(20);
    f.evidence["packages"] = list;
    f.evidence["count"] = packages.size();
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kNpmNpmrcScripts = {
    {"npm.npmrc-scripts", "Install scripts are allowed where dependencies run them unreviewed",
     Severity::kLow, Kind::kWeakness, Scope::kNpm, "T1195.002",
     "ignore-scripts=true in the project's .npmrc (or npm ci --ignore-scripts in CI), with the "
     "scripts you need run explicitly.",
     "A project whose dependencies have install scripts, without ignore-scripts=true in the .npmrc "
     "in force."},
    Run};

}  // namespace deminer
