// npm.lockfile-source: where each locked package comes from. A tarball from a
// host other than the one the project's packages come from, over plain http,
// or a git dependency without a full commit can change under the lockfile;
// a registry package without an integrity hash is not checked when installed.
#include <fmt/format.h>

#include <map>
#include <regex>

#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

extern const Check kNpmLockfileSource;

namespace {

bool IsGit(std::string_view r) {
  return StartsWith(r, "git") || StartsWith(r, "github:") ||
         r.find("git+") != std::string_view::npos;
}

bool HasFullCommit(std::string_view r) {
  static const std::regex kCommit(R"([#=/]([0-9a-f]{40})\b)", std::regex::icase);
  return std::regex_search(std::string(r), kCommit);
}

Finding Make(const CheckContext& ctx, const NpmProject& project, const NpmPackage& p, Severity sev,
             std::string_view why, std::string_view tag) {
  const std::string label = p.name + "@" + p.version;
  Finding f = NewFinding(
      kNpmLockfileSource.info, sev, fmt::format("{} in {}: {}", label, project.display, why),
      fmt::format("{}\n{}\n{}\n{}", project.display, label, tag, project.container_id));
  f.container = ctx.facts.ContainerById(project.container_id);
  f.path = project.lockfile;
  f.line = p.line;
  f.evidence["project"] = project.display;
  f.evidence["package"] = label;
  if (!p.resolved.empty()) f.evidence["resolved"] = Printable(p.resolved, 512);
  f.evidence["via"] = p.via;
  return f;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const NpmProject& project : ctx.facts.npm_projects) {
    if (project.kind == LockfileKind::kNone) continue;
    // The dominant registry host: the one most registry tarballs ("/-/") come from.
    std::map<std::string, size_t> hosts;
    for (const NpmPackage& p : project.packages)
      if (p.resolved.find("/-/") != std::string::npos) ++hosts[UrlHost(p.resolved)];
    std::string dominant;
    size_t best = 0;
    for (const auto& [h, n] : hosts)
      if (n > best) dominant = h, best = n;
    std::vector<std::string> no_integrity;
    const NpmPackage* first_missing = nullptr;
    for (const NpmPackage& p : project.packages) {
      if (p.link || p.bundled) continue;
      const std::string& r = p.resolved;
      const std::string lower = ToLower(r);
      if (IsGit(lower)) {
        if (!HasFullCommit(lower))
          out.push_back(Make(ctx, project, p, Severity::kMedium,
                             "git dependency not pinned to a commit", "git"));
        continue;
      }
      if (StartsWith(lower, "http://")) {
        const std::string host = UrlHost(lower);
        const bool loopback = IsLoopbackAddress(host);
        out.push_back(Make(ctx, project, p, loopback ? Severity::kMedium : Severity::kHigh,
                           "resolved over plain http", "http"));
        continue;
      }
      if (StartsWith(lower, "https://")) {
        const std::string host = UrlHost(lower);
        if (!dominant.empty() && host != dominant) {
          out.push_back(
              Make(ctx, project, p, Severity::kMedium,
                   fmt::format("resolved from {}, not the project's registry {}", host, dominant),
                   "host"));
          continue;
        }
        if (r.find("/-/") == std::string::npos && dominant.empty()) {
          out.push_back(
              Make(ctx, project, p, Severity::kMedium, "resolved from a tarball URL", "tarball"));
          continue;
        }
      }
      // A registry package (a registry URL or none at all) needs an integrity
      // hash; yarn v1 keeps a sha1 in the URL's fragment, Berry its own checksum.
      const bool registry_pkg = r.empty() || r.find("/-/") != std::string::npos;
      const bool yarn_sha1 =
          r.find('#') != std::string::npos && project.kind == LockfileKind::kYarnClassic;
      if (registry_pkg && p.integrity.empty() && !yarn_sha1 &&
          project.kind != LockfileKind::kYarnBerry && !StartsWith(p.version, "file:") &&
          !StartsWith(p.version, "link:")) {
        no_integrity.push_back(p.name + "@" + p.version);
        if (first_missing == nullptr) first_missing = &p;
      }
    }
    if (!no_integrity.empty()) {
      Finding f =
          Make(ctx, project, *first_missing, Severity::kMedium,
               fmt::format("{} registry packages without an integrity hash", no_integrity.size()),
               "integrity");
      f.subject = fmt::format("{}: {} locked registry packages without an integrity hash",
                              project.display, no_integrity.size());
      f.fingerprint =
          Fingerprint(kNpmLockfileSource.info.id,
                      fmt::format("{}\nintegrity\n{}", project.display, project.container_id));
      f.evidence.erase("package");
      f.evidence.erase("via");
      f.evidence["count"] = no_integrity.size();
      if (no_integrity.size() > 20) no_integrity.resize(20);
      f.evidence["packages"] = no_integrity;
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kNpmLockfileSource = {
    {"npm.lockfile-source",
     "A locked package comes from outside the registry, or without an integrity hash",
     Severity::kHigh, Kind::kWeakness, Scope::kNpm, "T1195.002",
     "Resolve the package from the registry, or pin git dependencies to a commit, and keep "
     "integrity hashes in the lockfile.",
     "Lockfile entries resolved from another host than the project's dominant registry host, over "
     "plain http (high), "
     "from git without a full commit, from a tarball URL, or registry packages without integrity "
     "(medium)."},
    Run};

}  // namespace deminer
