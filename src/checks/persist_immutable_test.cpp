#include <gtest/gtest.h>
#include <linux/fs.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kPersistImmutable;
namespace {

TEST(PersistImmutableCheckTest, PinnedResolverFileIsLowOthersHigh) {
  Facts facts = BaseFacts();
  FileEntry a = MakeFile("/etc/resolv.conf", FileEntry::Content::kUnread);
  a.area = "system";
  a.attr_flags = FS_IMMUTABLE_FL;
  FileEntry b = MakeFile("/usr/bin/system-check", FileEntry::Content::kUnread);
  b.area = "system";
  b.attr_flags = FS_IMMUTABLE_FL;
  facts.files = {a, b};
  const auto out = RunCheck(kPersistImmutable, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kLow);
  EXPECT_EQ(out[1].severity, Severity::kHigh);
}

}  // namespace
}  // namespace deminer
