// Test helper: the repository's default rule pack, loaded once per test binary.
#pragma once

#include <gtest/gtest.h>

#include "match/rule_pack.h"

namespace deminer {

inline const RulePack& DefaultRules() {
  static const RulePack pack = [] {
    auto p = RulePack::Load({std::string(DEMINER_SOURCE_DIR) + "/rules"});
    if (!p) {
      ADD_FAILURE() << p.error().message();
      return RulePack{};
    }
    return std::move(*p);
  }();
  return pack;
}

}  // namespace deminer
