// persist.boot-script: rc.local or an init script that fetches or runs a miner.
#include "checks/persist_common.h"

namespace deminer {

extern const Check kPersistBootScript;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  ReportRiskyCommands(kPersistBootScript.info, ctx,
                      {PersistKind::kRcLocal, PersistKind::kInitScript}, out);
}

}  // namespace

const Check kPersistBootScript = {
    {"persist.boot-script", "Boot script that fetches or runs a miner", Severity::kCritical,
     Kind::kCompromise, Scope::kPersistence, "T1037.004",
     "Remove the lines (or the script, if it is not a package's: dpkg -S FILE), keep a copy, "
     "and reboot only after the miner and its other persistence are gone.",
     "Every command line of /etc/rc.local, /etc/rc.d/rc.local and /etc/init.d/*, judged like "
     "cron jobs."},
    Run};

}  // namespace deminer
