#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kPersistBootScript;
namespace {

TEST(PersistBootScriptCheckTest, FlagsRcLocalRunningFromTemp) {
  Facts facts = BaseFacts();
  facts.persistence.push_back(
      MakeItem(PersistKind::kRcLocal, "/etc/rc.local",
               {{2, "", "", "nohup /tmp/dbus_daemon &"}, {3, "", "", "exit 0"}}));
  facts.persistence.push_back(MakeItem(PersistKind::kInitScript, "/etc/init.d/ssh",
                                       {{20, "", "", ". /lib/lsb/init-functions"}}));
  const auto out = RunCheck(kPersistBootScript, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].subject, "/etc/rc.local:2");
  EXPECT_GE(out[0].severity, Severity::kHigh);
}

}  // namespace
}  // namespace deminer
