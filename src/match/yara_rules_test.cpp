#include "match/yara_rules.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace deminer {
namespace {

TEST(YaraRulesTest, CompilesGoodFilesReportsBadOnesAndMatches) {
  char tmpl[] = "/tmp/deminer-yara-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  std::ofstream(dir + "/good.yar") << R"(rule miner_conf {
  meta:
    severity = "critical"
    source = "test"
  strings:
    $a = "donate-level"
  condition:
    $a and filename == "config.json"
})";
  std::ofstream(dir + "/bad.yar") << "rule broken {\n  condition:\n    nosuchthing\n}\n";
  std::vector<Gap> problems;
  auto rules = YaraRules::Compile({dir + "/good.yar", dir + "/bad.yar"}, problems);
  ASSERT_TRUE(rules) << rules.error().message();
  EXPECT_EQ((*rules)->rule_count(), 1u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].reason.find("bad.yar:3"), std::string::npos) << problems[0].reason;
  auto scanner = (*rules)->NewScanner();
  ASSERT_TRUE(scanner);
  auto hit = (*scanner)->Scan("{\"donate-level\": 0}", "/tmp/x/config.json");
  ASSERT_TRUE(hit);
  ASSERT_EQ(hit->size(), 1u);
  EXPECT_EQ((*hit)[0].rule, "miner_conf");
  EXPECT_EQ((*hit)[0].ns, "good");
  EXPECT_EQ((*hit)[0].Meta("severity"), "critical");
  EXPECT_EQ((*hit)[0].strings[0].second, "donate-level");
  EXPECT_EQ((*hit)[0].first_offset, 2);
  auto miss = (*scanner)->Scan("{\"donate-level\": 0}", "/tmp/x/other.json");  // external var
  ASSERT_TRUE(miss);
  EXPECT_TRUE(miss->empty());
  std::vector<Gap> none;
  EXPECT_FALSE(YaraRules::Compile({dir + "/bad.yar"}, none));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace deminer
