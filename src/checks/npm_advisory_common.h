// Helpers shared by npm.malicious-package and npm.vulnerable-package: each
// distinct package@version of a project's lockfile matched once against the
// rule pack's OSV advisories, and the evidence both checks give (where the
// package is in the lockfile and how it is pulled in).
#pragma once

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "checks/check.h"
#include "match/osv.h"

namespace deminer {

struct NpmAdvisoryHit {
  const NpmProject* project = nullptr;
  const NpmPackage* package = nullptr;  // its first entry in the lockfile
  size_t copies = 1;                    // entries of the same name@version
  std::vector<AdvisoryMatch> matches;
};

// The matches of every distinct package@version of every project, with
// `keep` choosing which matches a check wants (malicious or not).
template <typename Keep>
std::vector<NpmAdvisoryHit> NpmAdvisoryHits(const CheckContext& ctx, Keep keep) {
  std::vector<NpmAdvisoryHit> out;
  const AdvisoryDb* db = ctx.rules.advisories.get();
  if (!db) return out;
  for (const NpmProject& project : ctx.facts.npm_projects) {
    // name@version -> its hit in `out`, or -1 when it matched nothing.
    std::unordered_map<std::string, long> seen;
    seen.reserve(project.packages.size());
    for (const NpmPackage& p : project.packages) {
      if (p.link || p.name.empty()) continue;
      const auto [it, fresh] = seen.try_emplace(p.name + "@" + p.version, -1);
      if (!fresh) {
        if (it->second >= 0) ++out[static_cast<size_t>(it->second)].copies;
        continue;
      }
      std::vector<AdvisoryMatch> ms = db->Match(p.name, p.version);
      std::erase_if(ms, [&](const AdvisoryMatch& m) { return !keep(*m.advisory); });
      if (!ms.empty()) it->second = static_cast<long>(out.size());
      if (!ms.empty()) out.push_back({&project, &p, 1, std::move(ms)});
    }
  }
  return out;
}

// "a@1.0.0 > b@2.0.0 > c@3.0.0", or the package itself when the chain is unknown.
inline std::string NpmViaChain(const NpmPackage& p) {
  if (p.via.empty()) return p.name + "@" + p.version;
  std::string out;
  for (const std::string& v : p.via) {
    if (!out.empty()) out += " > ";
    out += v;
  }
  return out;
}

// A finding about one package@version of one project: subject, fingerprint
// key (project dir and package@version), lockfile path and line, and the
// evidence both checks share.
inline Finding NpmPackageFinding(const CheckInfo& info, const NpmAdvisoryHit& h,
                                 Severity severity) {
  const NpmProject& proj = *h.project;
  const NpmPackage& p = *h.package;
  const std::string where = proj.display.empty() ? proj.dir : proj.display;
  Finding f = NewFinding(info, severity, p.name + "@" + p.version + " in " + where,
                         proj.dir + "|" + p.name + "@" + p.version);
  f.path = proj.lockfile;
  f.line = p.line;
  f.evidence["package"] = p.name;
  f.evidence["version"] = p.version;
  f.evidence["project"] = where;
  if (!proj.lockfile.empty()) {
    f.evidence["lockfile"] =
        p.line > 0 ? proj.lockfile + ":" + std::to_string(p.line) : proj.lockfile;
  }
  f.evidence["via"] = NpmViaChain(p);
  if (!p.path.empty()) f.evidence["installed_at"] = p.path;
  if (h.copies > 1) f.evidence["copies"] = h.copies;
  if (p.dev) f.evidence["dev"] = true;
  if (!proj.container_id.empty()) f.evidence["container_id"] = proj.container_id;
  return f;
}

// Ids and aliases of the matched advisories, each once, in order.
inline std::pair<std::vector<std::string>, std::vector<std::string>> AdvisoryIds(
    const std::vector<AdvisoryMatch>& ms) {
  std::vector<std::string> ids;
  std::vector<std::string> aliases;
  for (const AdvisoryMatch& m : ms) {
    if (std::find(ids.begin(), ids.end(), m.advisory->id) == ids.end())
      ids.push_back(m.advisory->id);
    for (const std::string& a : m.advisory->aliases) {
      if (std::find(aliases.begin(), aliases.end(), a) == aliases.end() &&
          std::find(ids.begin(), ids.end(), a) == ids.end()) {
        aliases.push_back(a);
      }
    }
  }
  return {ids, aliases};
}

}  // namespace deminer
