#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kPersistSudoers;
namespace {

TEST(PersistSudoersCheckTest, TempCommandsAndRecentNopasswdAll) {
  Facts facts = BaseFacts();
  facts.now = 1800000000;
  facts.persistence.push_back(MakeItem(PersistKind::kSudoers, "/etc/sudoers.d/90-cloud-init-users",
                                       {{2, "", "", "admin ALL=(ALL) NOPASSWD:ALL"}}));
  facts.persistence.push_back(MakeItem(PersistKind::kSudoers, "/etc/sudoers.d/www",
                                       {{1, "", "", "www-data ALL=(root) NOPASSWD: /tmp/.x/run"},
                                        {2, "", "", "app ALL=(ALL) NOPASSWD: ALL"}},
                                       facts.now - 600));
  const auto out = RunCheck(kPersistSudoers, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].line, 1);
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_EQ(out[1].evidence["nopasswd_all"], true);
}

}  // namespace
}  // namespace deminer
