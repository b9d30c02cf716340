// Resolves host names to addresses with the system resolver. Network traffic:
// used only when the user asks for it (scan --resolve).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/finding.h"

namespace deminer {

// ip -> the name it came from, for every name that resolves; names that do not
// resolve are listed in `failed`. Runs up to `parallel` lookups at once.
std::map<std::string, std::string> ResolveAll(const std::vector<std::string>& names,
                                              std::vector<std::string>& failed,
                                              unsigned parallel = 8);

}  // namespace deminer
