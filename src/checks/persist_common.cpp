#include "checks/persist_common.h"

#include <algorithm>

namespace deminer {

bool OfKind(const PersistItem& item, std::initializer_list<PersistKind> kinds) {
  return std::find(kinds.begin(), kinds.end(), item.kind) != kinds.end();
}

void ReportRiskyCommands(const CheckInfo& info, const CheckContext& ctx,
                         std::initializer_list<PersistKind> kinds, std::vector<Finding>& out) {
  for (const PersistItem& item : ctx.facts.persistence) {
    if (!OfKind(item, kinds)) continue;
    for (const PersistCommand& c : item.commands) {
      if (c.key == "LD_PRELOAD" || c.key == "symlink" || c.key == "User") continue;
      const CommandRisk risk = AssessCommand(c.text, ctx.rules);
      if (!risk.Any()) continue;
      Finding f = PersistFinding(info, ctx, item, &c, risk.severity);
      f.evidence["reasons"] = risk.ToJson();
      out.push_back(std::move(f));
    }
  }
}

}  // namespace deminer
