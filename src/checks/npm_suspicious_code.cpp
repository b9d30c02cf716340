// npm.suspicious-code: JavaScript in node_modules, .next (and standalone) and
// bundle dirs that the JS heuristics scored as a dropper or an obfuscated
// payload (facts.js_files, filled by CollectJsCode). One finding per file:
// critical for miner strings, pools and wallets or a download run from a temp
// path, high for obfuscated or decoded code being executed, medium below.
#include <fmt/format.h>

#include "checks/check.h"
#include "core/strings.h"
#include "match/js_heuristics.h"

namespace deminer {

extern const Check kNpmSuspiciousCode;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const JsFileScore& js : ctx.facts.js_files) {
    if (js.score < JsHeuristics::kReportScore) continue;
    std::optional<ContainerRef> container = ctx.facts.ContainerById(js.container_id);
    const std::string shown = Printable(js.path, 1024);
    std::string subject = shown;
    if (!js.package.empty()) subject += fmt::format(" ({})", js.package);
    if (container) {
      subject +=
          fmt::format(" in container {}",
                      container->Shown());
    }
    Finding f = NewFinding(kNpmSuspiciousCode.info, JsSeverity(js.score, js.signals),
                           std::move(subject), fmt::format("{}\n{}", js.path, js.container_id));
    f.container = std::move(container);
    f.path = js.path;
    auto& ev = f.evidence;
    ev["path"] = shown;
    ev["score"] = js.score;
    if (!js.package.empty()) ev["package"] = js.package;
    ev["area"] = js.area;
    if (!js.project.empty()) ev["project"] = js.project;
    ev["size"] = js.size;
    if (!js.sha256.empty()) ev["sha256"] = js.sha256;
    auto signals = nlohmann::ordered_json::array();
    for (const JsSignal& s : js.signals) {
      signals.push_back({{"id", s.id},
                         {"weight", s.weight},
                         {"line", s.line},
                         {"excerpt", s.excerpt},
                         {"why", s.why}});
    }
    ev["signals"] = std::move(signals);
    // Signals come strongest first: the finding points at the strongest.
    if (!js.signals.empty()) f.line = js.signals.front().line;
    if (js.area == "node_modules") {
      f.remediation = fmt::format(
          "Do not run this code. Compare {} with its registry tarball (deminer scan "
          "--verify-registry on the project), remove node_modules and reinstall from a lockfile "
          "with verified integrity (npm ci --ignore-scripts); if the published version itself is "
          "malicious, pin a clean version. Then rotate the secrets the app could read.",
          js.package.empty() ? "the package" : js.package);
    } else {
      f.remediation =
          "Do not deploy this build. Diff it against a clean build of the same commit (deminer "
          "diff CLEAN SUSPECT) to find the injected code, find the dependency or build step that "
          "put it there, rebuild from clean sources, and rotate the secrets the app could read.";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kNpmSuspiciousCode = {
    {"npm.suspicious-code", "JavaScript that looks like a dropper or an obfuscated payload",
     Severity::kCritical, Kind::kCompromise, Scope::kNpm, "T1027",
     "Find where the file came from (deminer diff against a clean build, --verify-registry for "
     "node_modules), rebuild from clean sources, and rotate secrets.",
     "Files of node_modules, .next (and standalone) and bundle dirs scored by the JS heuristics: "
     "obfuscator tables, eval of decoded strings, child_process with a download or a temp path, "
     "miner strings and pool hosts. Critical for miner strings or a download run from a temp "
     "path, high for obfuscated or decoded code being executed, medium below."},
    Run};

}  // namespace deminer
