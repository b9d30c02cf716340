// npm.registry-mismatch: the tarball npm's cache or the registry holds for a
// package does not have the digest the lockfile pins. Either the lockfile was
// edited to pin a different tarball, or the cache (or the registry path
// between) served another one: what would be installed is not what was locked.
#include <fmt/format.h>

#include "checks/check.h"

namespace deminer {

extern const Check kNpmRegistryMismatch;

namespace {

const NpmPackage* PackageOf(const NpmProject& project, const RegistryCheck& r) {
  for (const NpmPackage& p : project.packages) {
    if (p.name == r.name && p.version == r.version && (p.path.empty() || p.path == r.path)) return &p;
  }
  return nullptr;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const NpmProject& project : ctx.facts.npm_projects) {
    if (!project.verified) continue;
    const std::string where = project.display.empty() ? project.dir : project.display;
    for (const RegistryCheck& r : project.registry) {
      if (!r.integrity_mismatch) continue;
      const std::string id = r.name + "@" + r.version;
      Finding f = NewFinding(kNpmRegistryMismatch.info, Severity::kCritical,
                             fmt::format("{} in {}", id, where),
                             fmt::format("{}\n{}\n{}\n{}", where, id, r.integrity, r.actual));
      f.evidence["package"] = id;
      f.evidence["installed_at"] = r.path;
      f.evidence["lockfile_integrity"] = r.integrity;
      f.evidence["actual"] = r.actual;
      f.evidence["tarball"] = r.tarball;
      if (!project.lockfile.empty()) {
        f.evidence["lockfile"] = project.lockfile;
        f.path = project.lockfile;
        if (const NpmPackage* p = PackageOf(project, r); p != nullptr) f.line = p->line;
      }
      f.remediation = fmt::format(
          "Do not install or deploy {}: the lockfile pins {} but {} holds {}. Check the "
          "lockfile's history (git log -p on it) for who changed this integrity, clear npm's "
          "cache entry (npm cache clean --force), reinstall with npm ci --ignore-scripts, and "
          "compare again.",
          id, r.integrity, r.tarball == "cache" ? "npm's cache" : r.tarball, r.actual);
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kNpmRegistryMismatch = {
    {"npm.registry-mismatch", "A package's tarball does not match the lockfile's integrity",
     Severity::kCritical, Kind::kCompromise, Scope::kNpm, "T1195.002",
     "Do not deploy: find who changed the lockfile or the cache, reinstall from the registry, and "
     "compare again.",
     "--verify-registry: the digest (sha512, or sha1 for old lockfiles) of the package's tarball, "
     "from npm's cache or the registry, differs from the lockfile's integrity."},
    Run};

}  // namespace deminer
