// npm.malicious-package: a package version an attacker published (OSV MAL-
// records, the consolidated malicious list) is in a project's lockfile. One
// finding per package@version per project, naming every advisory.
#include <algorithm>

#include "checks/npm_advisory_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kNpmMaliciousPackage;

namespace {

constexpr size_t kMaxListed = 20;
constexpr size_t kMaxDetails = 400;

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const auto hits = NpmAdvisoryHits(ctx, [](const Advisory& a) { return a.malicious; });
  for (const NpmAdvisoryHit& h : hits) {
    const NpmPackage& p = *h.package;
    Finding f = NpmPackageFinding(kNpmMaliciousPackage.info, h, Severity::kCritical);
    const auto [ids, aliases] = AdvisoryIds(h.matches);
    f.evidence["advisories"] = ids;
    if (!aliases.empty()) f.evidence["aliases"] = aliases;
    const Advisory& first = *h.matches.front().advisory;
    if (!first.summary.empty()) f.evidence["summary"] = first.summary;
    if (!first.details.empty()) {
      f.evidence["details"] = first.details.size() > kMaxDetails
                                  ? first.details.substr(0, kMaxDetails) + "..."
                                  : first.details;
    }
    bool every_version = false;
    std::vector<std::string> fixed;
    std::vector<std::string> listed;
    std::string last_affected;
    for (const AdvisoryMatch& m : h.matches) {
      every_version = every_version || m.every_version;
      for (const std::string& v : m.fixed) {
        if (std::find(fixed.begin(), fixed.end(), v) == fixed.end()) fixed.push_back(v);
      }
      if (!m.last_affected.empty()) last_affected = m.last_affected;
      for (const OsvVersion& v : m.affected->versions) {
        if (listed.size() < kMaxListed &&
            std::find(listed.begin(), listed.end(), v.text) == listed.end()) {
          listed.push_back(v.text);
        }
      }
    }
    if (!listed.empty()) f.evidence["malicious_versions"] = listed;
    std::vector<std::string> sources;
    for (const AdvisoryMatch& m : h.matches) sources.push_back(m.advisory->source);
    f.evidence["advisory_source"] = sources;
    if (!first.references.empty()) {
      f.evidence["references"] = std::vector<std::string>(
          first.references.begin(),
          first.references.begin() + std::min<size_t>(first.references.size(), 4));
    }

    std::string fix;
    if (every_version && fixed.empty()) {
      f.evidence["covers"] =
          "every version: the advisory's range is `introduced: 0` with no end (or the list "
          "names no version), so under OSV every release of " +
          p.name + " is malicious, even where the compromise was a few releases";
      fix = "Every version of " + p.name + " is listed as malicious (" + Join(ids, ", ") +
            "): remove the dependency (it comes in through " + NpmViaChain(p) +
            ") or replace it; if only some releases were compromised, pin one published "
            "before the compromise after checking it against the registry.";
    } else if (!fixed.empty()) {
      f.evidence["fixed"] = fixed;
      fix = "Move " + p.name + " to " + Join(fixed, " or ") +
            " or later (the advisory's first version after the malicious ones).";
    } else if (!last_affected.empty()) {
      fix = "Move " + p.name + " past " + last_affected + " (the last malicious release the " +
            "advisory names) or back to a release before the compromise.";
    } else {
      fix = "Pin " + p.name +
            " to a release the advisory does not list (malicious: " + Join(listed, ", ") +
            "); the last good one is the release published before " + p.version +
            " that the advisory does not list.";
    }
    f.remediation =
        fix +
        " Then delete node_modules, reinstall from the corrected lockfile with "
        "`npm ci --ignore-scripts`, and treat every machine that installed " +
        p.name + "@" + p.version +
        (every_version && fixed.empty() ? " (if it is one of the compromised releases)" : "") +
        " as compromised: rotate the secrets it could read (npm and GitHub "
        "tokens, cloud keys, CI secrets).";
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kNpmMaliciousPackage = {
    {"npm.malicious-package", "A known-malicious npm package version is in the dependency graph",
     Severity::kCritical, Kind::kCompromise, Scope::kNpm, "T1195.002",
     "Remove the package (or pin a clean version), delete node_modules and reinstall from a "
     "clean lockfile; rotate every secret the install could read.",
     "Lockfile packages matched against OSV MAL- advisories (built-in set, --advisories, "
     "and consolidated malicious lists): versions published by an attacker."},
    Run};

}  // namespace deminer
