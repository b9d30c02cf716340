#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kPersistLdPreload;
namespace {

TEST(PersistLdPreloadCheckTest, PreloadFileIsCriticalEnvAssignmentHigh) {
  Facts facts = BaseFacts();
  facts.persistence.push_back(MakeItem(PersistKind::kLdPreload, "/etc/ld.so.preload",
                                       {{1, "", "", "/usr/local/lib/libprocesshider.so"}}));
  facts.persistence.push_back(
      MakeItem(PersistKind::kEnvironment, "/etc/environment",
               {{1, "", "", "LANG=C.UTF-8"}, {2, "LD_PRELOAD", "", "/usr/lib/libjemalloc.so.2"}}));
  const auto out = RunCheck(kPersistLdPreload, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].evidence["library"], "/usr/local/lib/libprocesshider.so");
  EXPECT_EQ(out[1].severity, Severity::kHigh);
}

}  // namespace
}  // namespace deminer
