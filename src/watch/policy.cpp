#include "watch/policy.h"

namespace deminer {

bool CheckMatches(std::string_view pattern, std::string_view check) {
  if (pattern.empty() || pattern == "*") return true;
  if (pattern.ends_with('*')) return check.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == check;
}

const Policy* PolicyFor(const std::vector<Policy>& policies, const Finding& f) {
  for (const Policy& p : policies) {
    if (f.severity >= p.at && CheckMatches(p.check, f.check)) return &p;
  }
  return nullptr;
}

}  // namespace deminer
