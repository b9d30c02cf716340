#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kFileHashIoc;
namespace {

TEST(FileHashIocCheckTest, SeedMd5IsCritical) {
  Facts facts = BaseFacts();
  FileEntry bad = MakeFile("/tmp/dbus_daemon", FileEntry::Content::kElf);
  bad.hashes.md5 = "0183ffb97a996d80f25a63dbeda24cd2";  // seed 001's dbus_daemon
  FileEntry good = MakeFile("/tmp/other", FileEntry::Content::kElf);
  good.hashes.md5 = "d41d8cd98f00b204e9800998ecf8427e";
  facts.files = {bad, good};
  const auto out = RunCheck(kFileHashIoc, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_NE(out[0].evidence["ioc"].get<std::string>().find("seed 001"), std::string::npos);
}

}  // namespace
}  // namespace deminer
