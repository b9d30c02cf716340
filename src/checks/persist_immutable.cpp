// persist.immutable: an immutable or append-only file in a system dir (seed
// 001's `system-check`): a dropper protecting its persistence from removal.
#include "checks/check.h"

namespace deminer {

extern const Check kPersistImmutable;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const FileEntry& e : ctx.facts.files) {
    if (e.area != "system" || !(e.Immutable() || e.AppendOnly())) continue;
    const std::string* expected = RulePack::MatchGlob(ctx.rules.immutable_expected, e.path);
    Finding f = FileFinding(kPersistImmutable.info, ctx, e,
                            expected != nullptr ? Severity::kLow : Severity::kHigh);
    if (expected != nullptr) f.evidence["commonly_pinned_by_admins"] = *expected;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kPersistImmutable = {
    {"persist.immutable", "Immutable or append-only file in a system directory", Severity::kHigh,
     Kind::kCompromise, Scope::kPersistence, "T1222.002",
     "Find out what the file is and who set the attribute; if nobody on the team did, keep a "
     "copy, chattr -i -a FILE, and remove or restore it from the package (apt install "
     "--reinstall).",
     "The inode flags (FS_IOC_GETFLAGS, what lsattr shows) of every file under /etc, /usr/bin, "
     "/usr/sbin, /usr/local/bin, /usr/local/sbin, /usr/lib/systemd/system, /root, "
     "/var/spool/cron and /opt. Files admins commonly pin (/etc/resolv.conf) are low."},
    Run};

}  // namespace deminer
