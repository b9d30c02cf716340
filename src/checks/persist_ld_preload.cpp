// persist.ld-preload: /etc/ld.so.preload or an LD_PRELOAD in an environment
// or startup file: a library loaded into every program, the way miner
// rootkits (libprocesshider) hide the miner from ps and top.
#include "checks/persist_common.h"

namespace deminer {

extern const Check kPersistLdPreload;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PersistItem& item : ctx.facts.persistence) {
    const bool preload_file = item.kind == PersistKind::kLdPreload;
    for (const PersistCommand& c : item.commands) {
      if (!preload_file && c.key != "LD_PRELOAD") continue;
      if (c.key == "symlink") continue;
      const bool odd_path = IsTempPath(c.text) || c.text.find("/.") != std::string::npos;
      Finding f = PersistFinding(kPersistLdPreload.info, ctx, item, &c,
                                 odd_path || preload_file ? Severity::kCritical : Severity::kHigh);
      f.evidence["library"] = c.text;
      if (odd_path) f.evidence["library_in_temp_or_hidden_path"] = true;
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kPersistLdPreload = {
    {"persist.ld-preload", "Library preloaded into every program", Severity::kCritical,
     Kind::kCompromise, Scope::kPersistence, "T1574.006",
     "Unless you put it there on purpose, this is a rootkit hiding processes: keep a copy of "
     "the library, empty /etc/ld.so.preload (or remove the LD_PRELOAD line), and look again "
     "with ps and deminer scan: the miner it hid will show.",
     "Every entry of /etc/ld.so.preload (critical: a healthy Debian has none), and LD_PRELOAD "
     "assignments in /etc/environment, pam_env.conf and shell startup files (high; critical "
     "for a library in a temp or hidden path)."},
    Run};

}  // namespace deminer
