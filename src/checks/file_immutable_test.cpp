#include <gtest/gtest.h>
#include <linux/fs.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kFileImmutable;
extern const Check kPersistImmutable;
namespace {

TEST(FileImmutableCheckTest, FlagsImmutableAndAppendOnlyOutsideSystemDirs) {
  Facts facts = BaseFacts();
  FileEntry a = MakeFile("/tmp/locked", FileEntry::Content::kElf);
  a.attr_flags = FS_IMMUTABLE_FL | FS_EXTENT_FL;
  FileEntry b = MakeFile("/var/tmp/log", FileEntry::Content::kData);
  b.attr_flags = FS_APPEND_FL;
  FileEntry c = MakeFile("/tmp/plain", FileEntry::Content::kData);
  c.attr_flags = FS_EXTENT_FL;
  FileEntry d = MakeFile("/etc/system-check", FileEntry::Content::kUnread);
  d.area = "system";
  d.attr_flags = FS_IMMUTABLE_FL;
  facts.files = {a, b, c, d};
  const auto out = RunCheck(kFileImmutable, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].evidence.value("immutable", false), true);
  EXPECT_EQ(out[1].evidence.value("append_only", false), true);
  // System dirs belong to persist.immutable.
  const auto sys = RunCheck(kPersistImmutable, facts);
  ASSERT_EQ(sys.size(), 1u);
  EXPECT_EQ(sys[0].subject, "/etc/system-check");
  EXPECT_EQ(sys[0].severity, Severity::kHigh);
}

}  // namespace
}  // namespace deminer
