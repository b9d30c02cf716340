#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kFileYara;
namespace {

TEST(FileYaraCheckTest, SeverityAndAttackComeFromTheRule) {
  Facts facts = BaseFacts();
  FileEntry e = MakeFile("/tmp/config.json", FileEntry::Content::kData, 0644);
  e.matches.push_back({"yara",
                       "miners:xmrig_config",
                       "critical",
                       "XMRig config",
                       "deminer",
                       "T1496",
                       {"$a = \"donate-level\""},
                       3});
  e.matches.push_back({"yara", "user:no_meta", "", "", "", "", {}, 0});
  e.matches.push_back({"shell", "download-pipe-shell", "high", "", "", "", {}, 1});
  facts.files = {e};
  const auto out = RunCheck(kFileYara, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].line, 3);
  EXPECT_EQ(out[0].evidence["rule"], "miners:xmrig_config");
  EXPECT_EQ(out[1].severity, Severity::kHigh);
  EXPECT_NE(out[0].fingerprint, out[1].fingerprint);
}

}  // namespace
}  // namespace deminer
