#include "match/yara_rules.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
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

namespace deminer {
namespace {

TEST(PrefilterPatternsTest, TranslatesLiteralsRegexesAndHexStrings) {
  const auto specs = PrefilterPatterns(R"(rule a {
  meta:
    needs_strings = true
  strings:
    $l = "ab\"c" nocase wide ascii
    $r = /stratu[m]\+tcp:\/\/[a-z]{2,9}/i  // a comment
    $h = { 7F 45 ?? 4C [2-4] ( 01 | 02 ) }
    $x="Q"
  condition:
    any of them and #l > 0 // "$notastring = x"
})");
  ASSERT_TRUE(specs);
  ASSERT_EQ(specs->size(), 5u);
  EXPECT_EQ((*specs)[0].expression, "\\x61\\x62\\x22\\x63");
  EXPECT_TRUE((*specs)[0].caseless);
  EXPECT_EQ((*specs)[1].expression, "\\x61\\x00\\x62\\x00\\x22\\x00\\x63\\x00");
  // A regex is searched by the longest literal every match holds.
  EXPECT_EQ((*specs)[2].expression,
            "\\x73\\x74\\x72\\x61\\x74\\x75\\x6d\\x2b\\x74\\x63\\x70\\x3a\\x2f\\x2f");
  EXPECT_TRUE((*specs)[2].caseless);
  EXPECT_EQ((*specs)[3].expression, "\\x7F\\x45.\\x4C.{2,4}(\\x01|\\x02)");
  EXPECT_EQ((*specs)[4].expression, "\\x51");
  for (const auto& s : *specs) EXPECT_TRUE(s.prefilter);
  // A group of plain alternatives is a factor too.
  const auto alt = PrefilterPatterns(
      "rule c { strings:\n $a = /(curl|wget)\\s[^|]{1,300}\\|/\n condition: $a }");
  ASSERT_TRUE(alt);
  ASSERT_EQ(alt->size(), 1u);
  EXPECT_EQ((*alt)[0].expression, "(\\x63\\x75\\x72\\x6c|\\x77\\x67\\x65\\x74)");
  // Without a factor of 4 bytes, the regex itself, its wide repeats opened up.
  const auto none =
      PrefilterPatterns("rule d { strings:\n $a = /[a-z]{1,300}\\.x/\n condition: $a }");
  ASSERT_TRUE(none);
  ASSERT_EQ(none->size(), 1u);
  EXPECT_EQ((*none)[0].expression, "[a-z]{1,}\\.x");
  // Gates: only the named strings, or none of the rule's own.
  size_t declared = 0;
  const auto gated = PrefilterPatterns(R"(rule e {
  meta:
    gate = "k*"
  strings:
    $url = "url"
    $k1 = "donate-level"
  condition: $url and $k1
}
rule f {
  meta:
    gate = ""
  strings:
    $v = "spawn("
  condition: e and $v
})",
                                       &declared);
  ASSERT_TRUE(gated);
  EXPECT_EQ(declared, 3u);
  ASSERT_EQ(gated->size(), 1u);
  EXPECT_EQ((*gated)[0].expression, "\\x64\\x6f\\x6e\\x61\\x74\\x65\\x2d\\x6c\\x65\\x76\\x65\\x6c");
  EXPECT_FALSE(PrefilterPatterns("rule b { strings: \n $a = \"x\" xor\n condition: $a }"));
  EXPECT_FALSE(PrefilterPatterns("rule b { strings: \n $a = /x/ wide\n condition: $a }"));
}

// Gated rule files are only scanned when their strings (or sizes) allow a
// match; ungated ones always. Results are the same as without gates.
TEST(YaraRulesTest, GatesSkipFilesThatCannotMatchAndKeepResults) {
  char tmpl[] = "/tmp/deminer-yara-gate-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  std::ofstream(dir + "/gated.yar") << R"(rule g {
  meta:
    needs_strings = true
  strings:
    $a = /pool[0-9]\.example/
  condition:
    $a
})";
  std::ofstream(dir + "/sized.yar") << R"(rule s {
  meta:
    min_filesize = 3
    max_filesize = 5
  condition:
    uint8(0) == 0x41
})";
  std::ofstream(dir + "/plain.yar") << "rule p { condition: filesize == 1 }\n";
  std::vector<Gap> problems;
  auto rules =
      YaraRules::Compile({dir + "/gated.yar", dir + "/sized.yar", dir + "/plain.yar"}, problems);
  ASSERT_TRUE(rules) << rules.error().message();
  EXPECT_EQ((*rules)->gates().strings, 1u);
  EXPECT_EQ((*rules)->gates().size, 1u);
  EXPECT_EQ((*rules)->gates().always, 1u);
  auto scanner = (*rules)->NewScanner();
  ASSERT_TRUE(scanner);
  const auto names = [&](std::string_view bytes) {
    std::vector<std::string> out;
    auto m = (*scanner)->Scan(bytes, "/x");
    EXPECT_TRUE(m);
    if (m) {
      for (const YaraMatch& y : *m) out.push_back(y.rule);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(names("x pool7.example y"), std::vector<std::string>{"g"});
  EXPECT_EQ(names("AAAA"), std::vector<std::string>{"s"});
  EXPECT_TRUE(names("AAAAAA").empty());  // over max_filesize
  EXPECT_EQ(names("Z"), std::vector<std::string>{"p"});
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace deminer
