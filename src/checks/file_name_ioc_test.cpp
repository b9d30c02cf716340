#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kFileNameIoc;
namespace {

TEST(FileNameIocCheckTest, MinerNamesCountForProgramsOnly) {
  Facts facts = BaseFacts();
  facts.files.push_back(MakeFile("/tmp/xmrig", FileEntry::Content::kElf));
  facts.files.push_back(MakeFile("/srv/docs/xmrig", FileEntry::Content::kData, 0644));
  facts.files.push_back(MakeFile("/tmp/javae", FileEntry::Content::kElf, 0644));
  const auto out = RunCheck(kFileNameIoc, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].subject, "/tmp/xmrig");
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[1].subject, "/tmp/javae");
}

}  // namespace
}  // namespace deminer
