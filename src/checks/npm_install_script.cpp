// npm.install-script: a package that runs a script when it is installed
// (preinstall, install, postinstall, and prepare of git dependencies) is code
// from the registry running on the build host. Each is rated by what it runs:
// the rule pack's dropper idioms, miner names and pool hosts (AssessCommand),
// and downloads, decoding, shells, temp dirs and inline node code.
#include <fmt/format.h>

#include <regex>

#include "checks/check.h"
#include "checks/command_risk.h"
#include "core/strings.h"

namespace deminer {

extern const Check kNpmInstallScript;

namespace {

struct Signal {
  const char* what;
  std::regex re;
};

enum Group { kDownload, kDecode, kShell, kTemp, kInline, kExec, kGroups };

// Ordinary native builds (node-gyp rebuild, node install.js,
// prebuild-install) match none of these, so they stay low.
const std::vector<std::pair<Group, Signal>>& Signals() {
  static const std::vector<std::pair<Group, Signal>> s = [] {
    const auto icase = std::regex::ECMAScript | std::regex::icase;
    std::vector<std::pair<Group, Signal>> v;
    v.push_back({kDownload, {"downloads (curl)", std::regex(R"(\bcurl\b)", icase)}});
    v.push_back({kDownload, {"downloads (wget)", std::regex(R"(\bwget\b)", icase)}});
    v.push_back({kDownload, {"fetches a URL", std::regex(R"(\bhttps?://)", icase)}});
    v.push_back(
        {kDownload,
         {"downloads (Invoke-WebRequest)", std::regex(R"(invoke-webrequest|\biwr\b)", icase)}});
    v.push_back({kDecode, {"decodes base64", std::regex(R"(\bbase64\b)", icase)}});
    v.push_back({kDecode, {"decodes (atob)", std::regex(R"(\batob\s*\()", icase)}});
    v.push_back({kDecode, {"decodes (Buffer.from)", std::regex(R"(Buffer\.from\s*\()", icase)}});
    v.push_back({kShell, {"runs a shell (sh -c)", std::regex(R"(\b(ba|z|da)?sh\s+-c\b)", icase)}});
    v.push_back({kShell, {"runs bash", std::regex(R"(\bbash\b)", icase)}});
    v.push_back({kShell, {"runs PowerShell", std::regex(R"(\bpowershell|\bpwsh\b)", icase)}});
    v.push_back(
        {kExec, {"pipes into a shell", std::regex(R"(\|\s*(sudo\s+)?(ba|z|da)?sh\b)", icase)}});
    v.push_back(
        {kExec,
         {"makes a file executable", std::regex(R"(\bchmod\s+(\+x|[0-7]*[1357]\b))", icase)}});
    v.push_back({kExec, {"evaluates code (eval)", std::regex(R"(\beval\b)", icase)}});
    v.push_back({kTemp,
                 {"touches a temp dir",
                  std::regex(R"((/tmp\b|/var/tmp\b|/dev/shm\b|%temp%|\$env:temp))", icase)}});
    v.push_back({kInline,
                 {"runs inline node code (node -e)",
                  std::regex(R"(\bnode(js)?\s+(-e|--eval|-p|--print)\b)", icase)}});
    return v;
  }();
  return s;
}

struct Rating {
  Severity severity = Severity::kLow;
  std::vector<std::string> reasons;
};

Rating Rate(std::string_view command, const RulePack& rules) {
  Rating r;
  bool has[kGroups] = {};
  const std::string cmd(command.substr(0, 8192));
  for (const auto& [group, sig] : Signals()) {
    if (std::regex_search(cmd, sig.re)) {
      has[group] = true;
      r.reasons.emplace_back(sig.what);
    }
  }
  if ((has[kDownload] && (has[kExec] || has[kShell] || has[kInline] || has[kDecode])) ||
      has[kDecode]) {
    r.severity = Severity::kHigh;
  } else if (has[kShell] || has[kTemp] || has[kDownload] || has[kInline] || has[kExec]) {
    r.severity = Severity::kMedium;
  }
  const CommandRisk risk = AssessCommand(command, rules);
  for (const CommandReason& reason : risk.reasons)
    r.reasons.push_back(reason.value.empty()
                            ? reason.what + ": " + reason.why
                            : fmt::format("{}: {} ({})", reason.what, reason.why, reason.value));
  r.severity = std::max(r.severity, risk.severity);
  if (r.reasons.empty()) r.reasons.emplace_back("an ordinary build or setup step");
  return r;
}

const NpmPackage* FindPackage(const NpmProject& project, std::string_view label,
                              std::string_view path) {
  for (const NpmPackage& p : project.packages) {
    if (p.name + "@" + p.version != label) continue;
    if (p.path.empty() || EndsWith(path, p.path + "/package.json")) return &p;
  }
  return nullptr;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const NpmProject& project : ctx.facts.npm_projects) {
    std::vector<std::string> with_scripts;
    for (const NpmScript& s : project.scripts) {
      if (s.root) continue;
      const Rating rating = Rate(s.command, ctx.rules);
      const NpmPackage* pkg = FindPackage(project, s.package, s.path);
      Finding f =
          NewFinding(kNpmInstallScript.info, rating.severity,
                     fmt::format("{} in {} runs a {} script", s.package, project.display, s.event),
                     fmt::format("{}\n{}\n{}\n{}\n{}", project.display, s.package, s.event,
                                 s.command, project.container_id));
      f.container = ctx.facts.ContainerById(project.container_id);
      f.path = s.path;
      f.line = s.line;
      auto& e = f.evidence;
      e["project"] = project.display;
      e["package"] = s.package;
      e["event"] = s.event;
      e["command"] = Printable(s.command, 1024);
      e["reasons"] = rating.reasons;
      if (pkg != nullptr) {
        e["via"] = pkg->via;
        if (pkg->dev) e["dev"] = true;
      }
      with_scripts.push_back(s.package);
      out.push_back(std::move(f));
    }
    // The lockfile says a package has one, but it is not installed: the
    // command is unknown until it is.
    for (const NpmPackage& p : project.packages) {
      if (!p.has_install_script) continue;
      const std::string label = p.name + "@" + p.version;
      if (std::find(with_scripts.begin(), with_scripts.end(), label) != with_scripts.end())
        continue;
      Finding f = NewFinding(
          kNpmInstallScript.info, Severity::kLow,
          fmt::format("{} in {} has an install script (not installed: command unknown)", label,
                      project.display),
          fmt::format("{}\n{}\nlockfile\n{}", project.display, label, project.container_id));
      f.container = ctx.facts.ContainerById(project.container_id);
      f.path = project.lockfile;
      f.line = p.line;
      f.evidence["project"] = project.display;
      f.evidence["package"] = label;
      f.evidence["lockfile"] = project.lockfile;
      f.evidence["via"] = p.via;
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kNpmInstallScript = {
    {"npm.install-script", "A dependency runs a script at install time", Severity::kHigh,
     Kind::kWeakness, Scope::kNpm, "T1195.002",
     "Install with --ignore-scripts (npm ci --ignore-scripts, ignore-scripts=true in .npmrc) and "
     "allow only the scripts you reviewed.",
     "preinstall/install/postinstall (and prepare of git deps) of installed packages, rated by "
     "what they run: "
     "high when they download and execute or decode, medium for shells and temp dirs, low for "
     "ordinary builds."},
    Run};

}  // namespace deminer
