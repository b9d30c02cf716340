// Helpers shared by the persistence checks: run AssessCommand over the
// commands of the items of some kinds and report the risky ones.
#pragma once

#include <initializer_list>
#include <vector>

#include "checks/check.h"
#include "checks/command_risk.h"

namespace deminer {

// One finding per risky command in items of `kinds` (skipping LD_PRELOAD
// assignments and symlink entries, which have checks of their own).
void ReportRiskyCommands(const CheckInfo& info, const CheckContext& ctx,
                         std::initializer_list<PersistKind> kinds, std::vector<Finding>& out);

bool OfKind(const PersistItem& item, std::initializer_list<PersistKind> kinds);

}  // namespace deminer
