// persist.sudoers: sudo rules that let a user run anything without a password,
// when recent, or that let a service account run programs from temp dirs.
#include "checks/persist_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kPersistSudoers;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PersistItem& item : ctx.facts.persistence) {
    if (item.kind != PersistKind::kSudoers) continue;
    const bool recent = std::max(item.mtime, item.ctime) >= ctx.facts.now - kRecentSeconds;
    for (const PersistCommand& c : item.commands) {
      if (c.text.starts_with("Defaults") || c.text.starts_with("@include") ||
          c.text.starts_with("#include") || c.text.find('=') == std::string::npos) {
        continue;
      }
      const std::string compact = [&] {
        std::string s;
        for (const char ch : c.text) {
          if (ch != ' ' && ch != '\t') s += ch;
        }
        return s;
      }();
      const bool nopasswd_all = compact.find("NOPASSWD:ALL") != std::string::npos;
      bool temp_command = false;
      for (std::string_view w : Split(c.text, ' ')) {
        w = Trim(w);
        while (!w.empty() && (w.back() == ',')) w.remove_suffix(1);
        temp_command |= IsTempPath(w) || w.find("/.") != std::string_view::npos;
      }
      if (!temp_command && !(nopasswd_all && recent)) continue;
      Finding f = PersistFinding(kPersistSudoers.info, ctx, item, &c,
                                 temp_command ? Severity::kHigh : Severity::kMedium);
      if (nopasswd_all) f.evidence["nopasswd_all"] = true;
      if (temp_command) f.evidence["command_in_temp_or_hidden_path"] = true;
      if (recent) f.evidence["changed"] = FormatTime(std::max(item.mtime, item.ctime));
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kPersistSudoers = {
    {"persist.sudoers", "sudo rule an intruder may have added", Severity::kHigh, Kind::kCompromise,
     Scope::kPersistence, "T1548.003",
     "Check who added the rule (the file's change time against auth.log); remove it with "
     "visudo -f FILE if nobody did, and rotate that user's credentials.",
     "Every rule of /etc/sudoers and /etc/sudoers.d/*: a rule that runs a program from a temp "
     "or hidden path (high), and NOPASSWD: ALL in a file changed in the last 7 days (medium)."},
    Run};

}  // namespace deminer
