#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcFilenameIoc;
namespace {

TEST(ProcFilenameIocCheckTest, MatchesLokiFilenameIocsWithScore) {
  namespace fs = std::filesystem;
  std::string tmpl = (fs::temp_directory_path() / "deminer-fn-XXXXXX").string();
  const std::string dir = mkdtemp(tmpl.data());
  std::ofstream(dir + "/filename-iocs.txt")
      << "# test\n/\\.cache/kdevtmpfsi$;90\n/opt/app/.*\\.bin;40\n";
  auto rules = RulePack::Load({std::string(DEMINER_SOURCE_DIR) + "/rules", dir});
  fs::remove_all(dir);
  ASSERT_TRUE(rules.has_value()) << rules.error().message();

  Facts facts = BaseFacts();
  facts.processes.push_back(MakeProcess(10, 1, {"/root/.cache/kdevtmpfsi"}));
  facts.processes.push_back(MakeProcess(11, 1, {"/opt/app/x.bin"}));
  facts.processes.push_back(MakeProcess(12, 1, {"/usr/bin/ls"}));
  facts.Index();
  std::vector<Finding> out;
  kProcFilenameIoc.run(CheckContext{facts, *rules}, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[1].severity, Severity::kLow);
  EXPECT_EQ(out[0].evidence["matched"][0]["score"], 90);
}

TEST(ProcFilenameIocCheckTest, SilentWithoutFilenameIocs) {
  Facts facts = BaseFacts();
  facts.processes.push_back(MakeProcess(10, 1, {"/root/.cache/kdevtmpfsi"}));
  EXPECT_TRUE(RunCheck(kProcFilenameIoc, facts).empty());
}

}  // namespace
}  // namespace deminer
