#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kFileHidden;
namespace {

TEST(FileHiddenCheckTest, ReportsTopmostHiddenNameWithWhatItHolds) {
  Facts facts = BaseFacts();
  FileEntry dir = MakeFile("/tmp/.svc_370", FileEntry::Content::kUnread);
  dir.type = FileEntry::Type::kDir;
  facts.files.push_back(dir);
  facts.files.push_back(MakeFile("/tmp/.svc_370/miner", FileEntry::Content::kElf));
  facts.files.push_back(MakeFile("/tmp/.svc_370/.inner", FileEntry::Content::kData));
  facts.files.push_back(MakeFile("/var/tmp/...", FileEntry::Content::kData));
  facts.files.push_back(MakeFile("/tmp/.X11-unix", FileEntry::Content::kUnread));
  facts.files.push_back(MakeFile("/home/u/.bashrc", FileEntry::Content::kData));
  const auto out = RunCheck(kFileHidden, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].subject, "/tmp/.svc_370");
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].evidence["files_inside"], 2);
  EXPECT_EQ(out[0].evidence["programs_inside"][0], "/tmp/.svc_370/miner");
  EXPECT_EQ(out[1].subject, "/var/tmp/...");
  EXPECT_EQ(out[1].severity, Severity::kHigh);
}

}  // namespace
}  // namespace deminer
