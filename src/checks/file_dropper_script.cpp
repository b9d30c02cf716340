// file.dropper-script: a script whose lines download and run code, decode
// into a shell, make temp files executable, or kill competing miners.
#include <set>

#include "checks/check.h"

namespace deminer {

extern const Check kFileDropperScript;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const FileEntry& e : ctx.facts.files) {
    Severity sev = Severity::kInfo;
    auto lines = nlohmann::ordered_json::array();
    int first_line = 0;
    size_t idioms = 0;
    std::set<std::string> ids;
    for (const ContentMatch& m : e.matches) {
      if (m.engine != "shell") continue;
      sev = std::max(sev, ParseSeverity(m.severity).value_or(Severity::kMedium));
      if (first_line == 0) first_line = m.line;
      if (ids.insert(m.rule).second) ++idioms;
      if (lines.size() < 20) {
        lines.push_back({{"line", m.line},
                         {"idiom", m.rule},
                         {"why", m.description},
                         {"text", m.excerpts.empty() ? "" : m.excerpts.front()}});
      }
    }
    if (lines.empty()) continue;
    // Outside temp dirs (a PATH, a container's app dir) one idiom alone is a
    // lead, not a verdict: install scripts pipe curl into sh too.
    if (!IsTempPath(e.path) && idioms < 2) sev = std::min(sev, Severity::kMedium);
    Finding f = FileFinding(kFileDropperScript.info, ctx, e, sev);
    f.line = first_line;
    f.evidence["lines"] = std::move(lines);
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kFileDropperScript = {
    {"file.dropper-script", "Script with dropper commands", Severity::kCritical, Kind::kCompromise,
     Scope::kFiles, "T1059.004",
     "Read the lines listed: they fetch or unpack a program and run it. Keep a copy, remove "
     "the script and anything it installed, and block the hosts it names.",
     "Every script (a #! file or *.sh, up to 256 KiB) walked, line by line, against the shell "
     "patterns of the rule pack: curl/wget piped to a shell, base64 -d into a shell, downloads "
     "into /tmp, chmod +x on temp files, /dev/tcp, killing competing miners, chattr, firewall "
     "off, history wiping. Outside temp dirs a single idiom is at most medium."},
    Run};

}  // namespace deminer
