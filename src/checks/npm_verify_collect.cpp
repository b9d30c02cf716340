// --verify-registry: picks the npm projects under the dirs the user named and
// hands them to the registry comparison (sources/npm_registry.h).
#include <algorithm>
#include <filesystem>

#include "checks/npm_collect.h"
#include "sources/npm_registry.h"

namespace deminer {
namespace {

// Whether `dir` is `base` or below it, by normalised absolute paths.
bool IsUnder(const std::string& dir, const std::string& base) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path d = fs::weakly_canonical(fs::absolute(dir, ec), ec).lexically_normal();
  fs::path b = fs::weakly_canonical(fs::absolute(base, ec), ec).lexically_normal();
  auto di = d.begin();
  for (auto bi = b.begin(); bi != b.end(); ++bi, ++di) {
    if (bi->empty()) continue;  // a trailing '/'
    if (di == d.end() || *di != *bi) return false;
  }
  return true;
}

}  // namespace

void VerifyNpmRegistry(const ScanOptions& options, Facts& facts) {
  std::vector<NpmProject*> projects;
  for (NpmProject& p : facts.npm_projects) {
    for (const std::string& base : options.verify_registry) {
      if (IsUnder(p.dir, base)) {
        projects.push_back(&p);
        break;
      }
    }
  }
  for (const std::string& base : options.verify_registry) {
    const bool found = std::any_of(facts.npm_projects.begin(), facts.npm_projects.end(),
                                   [&](const NpmProject& p) { return IsUnder(p.dir, base); });
    if (!found) {
      facts.gaps.push_back({"registry integrity of " + base, "no npm project found there",
                            "a lockfile and node_modules (give the project dir as a PATH too)"});
    }
  }
  if (projects.empty()) return;
  RegistryOptions ro;
  ro.registry = options.registry;
  ro.jobs = options.registry_jobs;
  VerifyAgainstRegistry(projects, ro, facts.gaps);
}

}  // namespace deminer
