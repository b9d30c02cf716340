#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kFileDropperScript;
namespace {

TEST(FileDropperScriptCheckTest, OneIdiomOutsideTempIsAtMostMedium) {
  Facts facts = BaseFacts();
  FileEntry tmp = MakeFile("/tmp/x.sh", FileEntry::Content::kScript);
  tmp.matches.push_back({"shell", "download-pipe-shell", "high", "why", "", "", {"curl x|sh"}, 4});
  FileEntry app = MakeFile("/srv/app/install.sh", FileEntry::Content::kScript);
  app.area = "path";
  app.matches = tmp.matches;
  facts.files = {tmp, app};
  const auto out = RunCheck(kFileDropperScript, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].line, 4);
  EXPECT_EQ(out[1].severity, Severity::kMedium);
}

}  // namespace
}  // namespace deminer
