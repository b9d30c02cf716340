// file.immutable: a file in a temp dir, a container layer or a scanned path
// with the immutable or append-only attribute: droppers `chattr +i` their
// files so that `rm` fails.
#include "checks/check.h"

namespace deminer {

extern const Check kFileImmutable;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const FileEntry& e : ctx.facts.files) {
    if (e.area == "system" || !(e.Immutable() || e.AppendOnly())) continue;
    out.push_back(FileFinding(kFileImmutable.info, ctx, e, Severity::kHigh));
  }
}

}  // namespace

const Check kFileImmutable = {
    {"file.immutable", "Immutable or append-only file where programs drop files", Severity::kHigh,
     Kind::kCompromise, Scope::kFiles, "T1222.002",
     "Nobody makes a file in /tmp undeletable by accident: a dropper did (`chattr +i`). Keep a "
     "copy, then `chattr -i -a FILE` and remove it; find the process or job that set it "
     "(deminer scan --only persistence).",
     "The inode flags of every file and directory walked by the files scope, read with the "
     "FS_IOC_GETFLAGS ioctl (what lsattr shows), for the immutable (i) and append-only (a) "
     "attributes."},
    Run};

}  // namespace deminer
