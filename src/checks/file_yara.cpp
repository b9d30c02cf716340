// file.yara: a file matched by a YARA rule (the default pack's miner and
// dropper rules, or the user's own).
#include "checks/check.h"

namespace deminer {

extern const Check kFileYara;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const FileEntry& e : ctx.facts.files) {
    for (const ContentMatch& m : e.matches) {
      if (m.engine != "yara") continue;
      const Severity sev = ParseSeverity(m.severity).value_or(Severity::kHigh);
      Finding f = FileFinding(kFileYara.info, ctx, e, sev);
      f.fingerprint = Fingerprint(kFileYara.info.id, f.fingerprint + m.rule);
      f.title = "File matches YARA rule " + m.rule;
      if (!m.attack.empty()) f.attack = m.attack;
      f.line = m.line;
      f.evidence["rule"] = m.rule;
      if (!m.description.empty()) f.evidence["description"] = m.description;
      if (!m.source.empty()) f.evidence["rule_source"] = m.source;
      f.evidence["strings"] = m.excerpts;
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kFileYara = {
    {"file.yara", "File matches a YARA rule", Severity::kCritical, Kind::kCompromise, Scope::kFiles,
     "T1496",
     "Read the rule's description and the matched strings; for a miner or dropper, keep a copy "
     "(deminer collect), stop what runs it and remove it with its persistence.",
     "Every file walked, up to --max-file-size, against the YARA rules of the rule pack "
     "(rules/yara: XMRig and other miners, stratum URLs, Monero wallets, UPX-packed ELF, shell "
     "droppers, the seeds' samples) and any YARA file given with --rules. Severity comes from "
     "the rule's `severity` meta (high when it has none)."},
    Run};

}  // namespace deminer
