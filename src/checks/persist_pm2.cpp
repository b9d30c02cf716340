// persist.pm2: pm2 resurrecting apps as root (seed 001's lesson: a web app's
// RCE became root), and apps in its saved list that run a miner or dropper.
#include "checks/persist_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kPersistPm2;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  // The daemon itself, when processes were read: "PM2 v5.3.0: God Daemon (/root/.pm2)".
  for (const Process& p : ctx.facts.processes) {
    if (p.uid != 0 || p.argv.empty() || !p.argv[0].starts_with("PM2 v")) continue;
    Finding f = ProcessFinding(kPersistPm2.info, ctx, p, Severity::kMedium);
    f.kind = Kind::kWeakness;
    f.title = "pm2 daemon runs as root";
    out.push_back(std::move(f));
  }
  for (const PersistItem& item : ctx.facts.persistence) {
    const bool dump = item.kind == PersistKind::kPm2;
    const bool unit = item.kind == PersistKind::kSystemdUnit &&
                      Basename(item.path).starts_with("pm2-") && item.path.ends_with(".service");
    if (!dump && !unit) continue;
    bool root = dump && (item.user == "root" || item.uid == 0);
    for (const PersistCommand& c : item.commands) {
      if (unit && c.key == "User" && c.text == "root") root = true;
    }
    if (root) {
      Finding f = PersistFinding(kPersistPm2.info, ctx, item, nullptr, Severity::kMedium);
      f.kind = Kind::kWeakness;
      f.title = "pm2 keeps apps running as root";
      out.push_back(std::move(f));
    }
    if (!dump) continue;
    for (const PersistCommand& c : item.commands) {
      const CommandRisk risk = AssessCommand(c.text, ctx.rules);
      const bool temp =
          IsTempPath(Split(c.text, ' ').front()) || c.text.find(" /tmp/") != std::string::npos;
      if (!risk.Any() && !temp) continue;
      Finding f = PersistFinding(kPersistPm2.info, ctx, item, &c,
                                 risk.Any() ? risk.severity : Severity::kHigh);
      f.title = "pm2 resurrects an app that runs a miner or dropper";
      if (risk.Any()) f.evidence["reasons"] = risk.ToJson();
      if (temp) f.evidence["runs_from_temp"] = true;
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kPersistPm2 = {
    {"persist.pm2", "pm2 runs apps as root or resurrects a miner", Severity::kCritical,
     Kind::kCompromise, Scope::kPersistence, "T1543",
     "Run the app as an unprivileged user (pm2 startup -u USER), delete the root dump "
     "(pm2 delete APP; pm2 save), and remove any app in the list that is not yours.",
     "pm2's daemon (\"PM2 vX: God Daemon\") among the running processes, its saved process "
     "lists (~/.pm2/dump.pm2 of every user) and pm2-*.service units: a root daemon, root's "
     "list or User=root is a weakness (medium, seed 001's lesson 6); an app whose command "
     "fetches or runs code, or runs from a temp dir, is a compromise."},
    Run};

}  // namespace deminer
