#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kFileExeInTemp;
namespace {

TEST(FileExeInTempCheckTest, RatesElfAndScriptsByPlaceAndExecBit) {
  Facts facts = BaseFacts();
  facts.files.push_back(MakeFile("/tmp/dbus_daemon", FileEntry::Content::kElf));
  facts.files.push_back(MakeFile("/var/tmp/.svc_370/a/b/run", FileEntry::Content::kElf));
  facts.files.push_back(MakeFile("/tmp/x.bin", FileEntry::Content::kElf, 0644));
  facts.files.push_back(MakeFile("/tmp/build/a/b/tool", FileEntry::Content::kElf));
  facts.files.push_back(MakeFile("/tmp/install.sh", FileEntry::Content::kScript));
  facts.files.push_back(MakeFile("/tmp/notes.sh", FileEntry::Content::kScript, 0644));
  facts.files.push_back(MakeFile("/usr/bin/ls", FileEntry::Content::kElf));
  facts.files.push_back(MakeFile("/tmp/data", FileEntry::Content::kData));
  const auto out = RunCheck(kFileExeInTemp, facts);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].subject, "/tmp/dbus_daemon");
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[1].severity, Severity::kHigh);  // deep, but hidden
  EXPECT_EQ(out[1].evidence.value("hidden_path", false), true);
  EXPECT_EQ(out[2].severity, Severity::kMedium);  // no exec bit
  EXPECT_EQ(out[3].severity, Severity::kMedium);  // deep build tree
  EXPECT_EQ(out[4].severity, Severity::kMedium);  // executable script
  EXPECT_EQ(out[0].path, "/tmp/dbus_daemon");
}

}  // namespace
}  // namespace deminer
