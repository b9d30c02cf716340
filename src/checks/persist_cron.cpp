// persist.cron: a cron or at job that downloads and runs code, runs from a
// temp or hidden path, or names a miner, pool or attacker host.
#include "checks/persist_common.h"

namespace deminer {

extern const Check kPersistCron;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  ReportRiskyCommands(kPersistCron.info, ctx, {PersistKind::kCron, PersistKind::kAtJob}, out);
}

}  // namespace

const Check kPersistCron = {
    {"persist.cron", "Cron or at job that fetches or runs a miner", Severity::kCritical,
     Kind::kCompromise, Scope::kPersistence, "T1053.003",
     "Remove the line (crontab -u USER -e, or the file in /etc/cron.d), keep a copy first, and "
     "find how it got there: the file's change time against the web and auth logs.",
     "Every job of /etc/crontab, /etc/cron.d, the cron.hourly/daily/weekly/monthly scripts, "
     "/etc/anacrontab, every user's crontab in the spool and the at spool, judged by the shell "
     "patterns of the rule pack (download piped to a shell, base64 into a shell, run from "
     "/tmp, a hidden path, /dev/tcp...), a miner command line, miner names, pool domains and "
     "C2 hosts."},
    Run};

}  // namespace deminer
