// npm.tampered-files: files of an installed package differ from the files of
// its registry tarball: modified, added or removed after npm unpacked it. An
// injected loader in a package's .js (seed 001's suspicion) shows up here,
// file by file. Output of a native build (build/, prebuilds/, *.node) of a
// package with install scripts is expected and does not count.
#include <fmt/format.h>

#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

extern const Check kNpmTamperedFiles;

namespace {

constexpr size_t kListed = 20;  // files of each kind named in the evidence

bool IsCode(std::string_view rel) {
  return EndsWith(rel, ".js") || EndsWith(rel, ".mjs") || EndsWith(rel, ".cjs") ||
         EndsWith(rel, ".json");
}

// Files something may run: JavaScript, shell, native code.
bool IsScript(std::string_view rel) {
  for (std::string_view ext : {".js", ".mjs", ".cjs", ".ts", ".sh", ".bash", ".py", ".pl", ".ps1",
                               ".bat", ".cmd", ".node", ".so", ".exe"}) {
    if (EndsWith(rel, ext)) return true;
  }
  return false;
}

nlohmann::ordered_json Listed(const std::vector<std::string>& files) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < files.size() && i < kListed; ++i) list.push_back(files[i]);
  if (files.size() > kListed) list.push_back(fmt::format("... {} more", files.size() - kListed));
  return list;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const NpmProject& project : ctx.facts.npm_projects) {
    if (!project.verified) continue;
    const std::string where = project.display.empty() ? project.dir : project.display;
    for (const RegistryCheck& r : project.registry) {
      if (r.modified.empty() && r.added.empty() && r.removed.empty()) continue;
      const bool critical = std::any_of(r.modified.begin(), r.modified.end(), IsCode) ||
                            std::any_of(r.added.begin(), r.added.end(), IsScript);
      const std::string id = r.name + "@" + r.version;
      Finding f = NewFinding(kNpmTamperedFiles.info, critical ? Severity::kCritical : Severity::kHigh,
                             fmt::format("{} in {}", id, where),
                             fmt::format("{}\n{}\n{}", where, id, r.path));
      f.evidence["package"] = id;
      f.evidence["installed_at"] = r.path;
      f.evidence["tarball"] = r.tarball;
      f.evidence["files_compared"] = r.files_compared;
      if (!r.modified.empty()) f.evidence["modified"] = Listed(r.modified);
      if (!r.added.empty()) f.evidence["added"] = Listed(r.added);
      if (!r.removed.empty()) f.evidence["removed"] = Listed(r.removed);
      if (!r.built.empty()) f.evidence["build_output"] = Listed(r.built);
      const std::string& first = !r.modified.empty() ? r.modified.front()
                                 : !r.added.empty()  ? r.added.front()
                                                     : r.removed.front();
      f.path = project.dir + "/" + r.path + "/" + first;
      f.remediation = fmt::format(
          "Keep a copy of {}/ for the investigation, then delete node_modules and reinstall "
          "(npm ci --ignore-scripts) and scan again. Find what changed {}: diff it with the "
          "registry's tarball (`npm pack {}` fetches it), and look at the build steps, install scripts and "
          "logins that ran on this host since the install.",
          r.path, first, id);
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kNpmTamperedFiles = {
    {"npm.tampered-files", "Installed package files differ from the registry's tarball",
     Severity::kCritical, Kind::kCompromise, Scope::kNpm, "T1195.002",
     "Delete node_modules and reinstall (npm ci --ignore-scripts), then find what modified the "
     "files: a build step, an install script, or an intruder.",
     "--verify-registry: files of node_modules modified, added or removed compared with the "
     "package's registry tarball (SHA-256 of each file). Critical when a .js/.mjs/.cjs/.json file "
     "is modified or a script is added; high otherwise. Native build output of packages with "
     "install scripts is listed apart and not reported by itself."},
    Run};

}  // namespace deminer
