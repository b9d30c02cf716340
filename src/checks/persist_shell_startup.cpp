// persist.shell-startup: a shell startup or environment file that downloads
// or runs code from temp dirs whenever someone logs in.
#include "checks/persist_common.h"

namespace deminer {

extern const Check kPersistShellStartup;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  ReportRiskyCommands(kPersistShellStartup.info, ctx,
                      {PersistKind::kShellStartup, PersistKind::kEnvironment}, out);
}

}  // namespace

const Check kPersistShellStartup = {
    {"persist.shell-startup", "Shell startup file that fetches or runs a miner",
     Severity::kCritical, Kind::kCompromise, Scope::kPersistence, "T1546.004",
     "Remove the lines from the file, keep a copy, and check the user's other files: a "
     "dropper that edits .bashrc usually also adds a cron job or an SSH key.",
     "Every line of /etc/profile, /etc/profile.d/*, /etc/bash.bashrc, /etc/environment, zsh's "
     "global files, and each user's .bashrc, .profile, .bash_profile, .bash_login, "
     ".bash_logout, .zshrc and .zprofile, judged like cron jobs."},
    Run};

}  // namespace deminer
