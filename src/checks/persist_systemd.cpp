// persist.systemd: a systemd unit whose Exec* lines fetch or run a miner,
// that is named like a miner, that links into a temp dir, or that appeared
// recently without a package.
#include "checks/persist_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kPersistSystemd;

namespace {

std::string_view UnitName(std::string_view path) {
  std::string_view name = Basename(path);
  return name.substr(0, name.rfind('.'));
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  ReportRiskyCommands(kPersistSystemd.info, ctx, {PersistKind::kSystemdUnit}, out);
  for (const PersistItem& item : ctx.facts.persistence) {
    if (item.kind != PersistKind::kSystemdUnit) continue;
    // Seed 000's dropper tried /etc/systemd/system/javae.service.
    if (const std::string* src = ctx.rules.miner_names.Match(UnitName(item.path))) {
      Finding f = PersistFinding(kPersistSystemd.info, ctx, item, nullptr, Severity::kCritical);
      f.evidence["miner_name"] = std::string(UnitName(item.path));
      f.evidence["ioc"] = *src;
      out.push_back(std::move(f));
    }
    for (const PersistCommand& c : item.commands) {
      if (c.key != "symlink") continue;
      if (IsTempPath(c.text) || c.text.find("/.") != std::string::npos) {
        Finding f = PersistFinding(kPersistSystemd.info, ctx, item, &c, Severity::kHigh);
        f.evidence["reasons"] = {{{"what", "links into a temp or hidden path"}}};
        out.push_back(std::move(f));
      }
    }
    const bool recent = std::max(item.mtime, item.ctime) >= ctx.facts.now - kRecentSeconds;
    const bool link = !item.commands.empty() && item.commands.front().key == "symlink";
    if (recent && !link && item.packaged == false) {
      Finding f = PersistFinding(kPersistSystemd.info, ctx, item, nullptr, Severity::kLow);
      f.title = "systemd unit created or changed in the last 7 days, not by a package";
      f.evidence["changed"] = FormatTime(std::max(item.mtime, item.ctime));
      auto exec = nlohmann::ordered_json::array();
      for (const PersistCommand& c : item.commands) {
        if (c.key.starts_with("Exec")) exec.push_back(Printable(c.text, 300));
      }
      f.evidence["exec"] = std::move(exec);
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kPersistSystemd = {
    {"persist.systemd", "systemd unit that runs a miner or its dropper", Severity::kCritical,
     Kind::kCompromise, Scope::kPersistence, "T1543.002",
     "systemctl disable --now UNIT, keep a copy of the unit and what it runs, remove both, "
     "then systemctl daemon-reload. A unit nobody remembers adding, recent and not from a "
     "package (dpkg -S), deserves the same look.",
     "Every unit, drop-in and wants link in the system and user unit dirs (/etc, /run, "
     "/usr/lib, /usr/local/lib, generators' output, ~/.config/systemd/user): Exec* lines "
     "judged like cron jobs, unit names against the miner names, links into temp or hidden "
     "paths, and units changed in the last 7 days that no dpkg package installed (low)."},
    Run};

}  // namespace deminer
