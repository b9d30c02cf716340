// npm.vulnerable-package: a package version in a project's lockfile falls in
// an OSV advisory's affected ranges (built-in set, --advisories). One finding
// per package@version per project, listing every advisory; the most severe
// one sets the severity. The fix offered is the lowest fixed version that
// none of the loaded advisories affects.
#include <algorithm>
#include <string_view>

#include "checks/npm_advisory_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kNpmVulnerablePackage;

namespace {

// What the advisories for React Server Components mean for an incident: a
// miner in a Next.js container with clean sources and dependencies (seeds
// 000 and 001 blamed an npm supply-chain injection) is what this remote code
// execution leaves behind.
constexpr std::string_view kRscNote =
    "React Server Components RCE (CVE-2025-55182 \"React2Shell\"; CVE-2025-66478 for Next.js): "
    "one unauthenticated HTTP request to an App Router / Server Functions endpoint runs code in "
    "the Node.js server. A miner or dropper appearing in a Next.js container whose source and "
    "dependencies are clean is explained by this better than by a supply-chain injection: look "
    "in the web and container logs for POST requests carrying a `Next-Action` header or RSC "
    "payloads just before the first malicious process, and rebuild on a fixed version.";

bool IsRscAdvisory(const Advisory& a) {
  const auto rsc = [](std::string_view id) {
    return id == "GHSA-fv66-9v8q-g76r" || id == "GHSA-9qr9-h5gf-34mp" || id == "CVE-2025-55182" ||
           id == "CVE-2025-66478";
  };
  return rsc(a.id) || std::any_of(a.aliases.begin(), a.aliases.end(),
                                  [&](const std::string& s) { return rsc(s); });
}

// The lowest version above `current` that ends one of the matched ranges and
// that no loaded advisory affects; empty when there is none.
std::string UpgradeTarget(const AdvisoryDb& db, const NpmPackage& p,
                          const std::vector<AdvisoryMatch>& ms) {
  const auto current = SemVer::Parse(p.version);
  if (!current) return "";
  std::vector<SemVer> candidates;
  for (const AdvisoryMatch& m : ms) {
    for (const OsvRange& r : m.affected->ranges) {
      for (const OsvEvent& e : r.events) {
        if (e.type == OsvEvent::Type::kFixed && !e.zero && e.version > *current) {
          candidates.push_back(e.version);
        }
      }
    }
  }
  std::sort(candidates.begin(), candidates.end());
  for (const SemVer& c : candidates) {
    if (db.Match(p.name, c.ToString()).empty()) return c.ToString();
  }
  return "";
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const auto hits = NpmAdvisoryHits(ctx, [](const Advisory& a) { return !a.malicious; });
  for (const NpmAdvisoryHit& h : hits) {
    const NpmPackage& p = *h.package;
    Severity severity = Severity::kInfo;
    for (const AdvisoryMatch& m : h.matches)
      severity = std::max(severity, AdvisorySeverity(*m.advisory));
    Finding f = NpmPackageFinding(kNpmVulnerablePackage.info, h, severity);
    const auto [ids, aliases] = AdvisoryIds(h.matches);
    f.evidence["advisories"] = ids;
    if (!aliases.empty()) f.evidence["aliases"] = aliases;

    auto details = nlohmann::ordered_json::array();
    std::vector<std::string> fixes;  // "GHSA-x: 1.2.3"
    std::vector<std::string> notes;
    bool rsc = false;
    for (const AdvisoryMatch& m : h.matches) {
      const Advisory& a = *m.advisory;
      nlohmann::ordered_json d;
      d["id"] = a.id;
      if (!a.aliases.empty()) d["aliases"] = a.aliases;
      d["severity"] = SeverityName(AdvisorySeverity(a));
      if (!a.summary.empty()) d["summary"] = a.summary;
      if (!a.cvss.empty()) d["cvss"] = a.cvss;
      if (!m.fixed.empty()) {
        d["fixed"] = m.fixed;
        fixes.push_back(a.id + ": fixed in " + Join(m.fixed, ", "));
      } else if (!m.last_affected.empty()) {
        d["last_affected"] = m.last_affected;
        fixes.push_back(a.id + ": last affected " + m.last_affected);
      } else {
        fixes.push_back(a.id + ": no fixed version named");
      }
      if (m.every_version) d["covers"] = "every version (the range is introduced 0 with no end)";
      if (!a.references.empty()) {
        d["references"] = std::vector<std::string>(
            a.references.begin(), a.references.begin() + std::min<size_t>(a.references.size(), 4));
      }
      d["source"] = a.source;
      details.push_back(std::move(d));
      for (const std::string& n : a.notes) notes.push_back(a.id + ": " + n);
      for (const std::string& n : m.affected->notes) notes.push_back(a.id + ": " + n);
      rsc = rsc || IsRscAdvisory(a);
    }
    f.evidence["details"] = std::move(details);
    if (rsc) f.evidence["note"] = std::string(kRscNote);
    if (!notes.empty()) f.evidence["advisory_notes"] = notes;

    const std::string target = UpgradeTarget(*ctx.rules.advisories, p, h.matches);
    std::string fix;
    if (!target.empty()) {
      f.evidence["upgrade_to"] = target;
      fix = "Upgrade " + p.name + " to " + target +
            " or a later release: none of the loaded advisories affects it (" + Join(fixes, "; ") +
            ").";
    } else {
      fix = "No single fixed version is known for " + p.name + "@" + p.version + " (" +
            Join(fixes, "; ") + "): move to the newest release of a maintained line, or remove it.";
    }
    if (p.via.size() > 1) {
      fix += " It comes in through " + NpmViaChain(p) +
             ": upgrade the direct dependency, or pin it with `overrides` in package.json.";
    }
    if (rsc) {
      fix +=
          " Until it is patched, treat any miner or unknown process in this app's container "
          "as the likely result of this RCE, not of a tampered package.";
    }
    f.remediation = fix;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kNpmVulnerablePackage = {
    {"npm.vulnerable-package", "A dependency has a known vulnerability", Severity::kCritical,
     Kind::kWeakness, Scope::kNpm, "T1190", "Upgrade to the fixed version the advisory names.",
     "Lockfile packages matched against OSV advisories (built-in set, --advisories) with OSV's "
     "semver ranges; the built-in set has the React Server Components RCE (React2Shell) and the "
     "Next.js advisories."},
    Run};

}  // namespace deminer
