#include "match/yara_rules.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace deminer {
namespace {

// A temp dir for rule files, removed also when an assertion ends the test
// early (a rule file left in /tmp would be a finding of the next scan).
class RuleDir {
 public:
  RuleDir() {
    char tmpl[] = "/tmp/deminer-yara-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~RuleDir() {
    if (!path_.empty()) std::filesystem::remove_all(path_);
  }
  RuleDir(const RuleDir&) = delete;
  RuleDir& operator=(const RuleDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(YaraRulesTest, CompilesGoodFilesReportsBadOnesAndMatches) {
  const RuleDir rule_dir;
  ASSERT_FALSE(rule_dir.path().empty());
  const std::string& dir = rule_dir.path();
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
      "rule c { strings:\n $a = /(kdevtmpfsi|kthreaddi)\\s[^|]{1,300}\\|/\n condition: $a }");
  ASSERT_TRUE(alt);
  ASSERT_EQ(alt->size(), 1u);
  EXPECT_EQ((*alt)[0].expression,
            "(\\x6b\\x64\\x65\\x76\\x74\\x6d\\x70\\x66\\x73\\x69|"
            "\\x6b\\x74\\x68\\x72\\x65\\x61\\x64\\x64\\x69)");
  // Without a factor of 7 bytes, the regex itself, its wide repeats opened up:
  // "(curl|wget)" or "| sh" alone is everywhere in JavaScript.
  const auto none =
      PrefilterPatterns("rule d { strings:\n $a = /[a-z]{1,300}\\.x/\n condition: $a }");
  ASSERT_TRUE(none);
  ASSERT_EQ(none->size(), 1u);
  EXPECT_EQ((*none)[0].expression, "[a-z]{1,}\\.x");
  const auto weak = PrefilterPatterns(
      "rule d { strings:\n $a = /(curl|wget)\\s[^|]{0,300}\\| sh/\n condition: $a }");
  ASSERT_TRUE(weak);
  ASSERT_EQ(weak->size(), 1u);
  EXPECT_EQ((*weak)[0].expression, "(curl|wget)\\s[^|]{0,}\\| sh");
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
  const RuleDir rule_dir;
  ASSERT_FALSE(rule_dir.path().empty());
  const std::string& dir = rule_dir.path();
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
}

TEST(DigestRulesTest, ReadsDigestOnlyRulesAndRefusesOthers) {
  const auto rules = DigestRules(R"(import "hash"
/* the seeds' samples */
rule a : tag1 tag2 {
  meta:
    description = "braces } and condition: in a meta"
    min_filesize = 3000001
  condition:
    filesize > 3000000 and filesize < 5300000 and // a comment
    hash.md5(0, filesize) == "0183ffb97a996d80f25a63dbeda24cd2"
}
rule b { condition: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" ==
  hash.sha256(0, filesize) and filesize <= 1KB }
rule c { condition: hash.sha1(0, filesize) == "a9993e364706816aba3e25717850c26c9cd0d89d" and
  filesize == 0x3 }
)");
  ASSERT_TRUE(rules);
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].rule, "a");
  EXPECT_EQ((*rules)[0].kind, DigestRule::Kind::kMd5);
  EXPECT_EQ((*rules)[0].hex, "0183ffb97a996d80f25a63dbeda24cd2");
  EXPECT_EQ((*rules)[0].min_size, 3000001u);
  EXPECT_EQ((*rules)[0].max_size, 5299999u);
  EXPECT_EQ((*rules)[1].kind, DigestRule::Kind::kSha256);
  EXPECT_EQ((*rules)[1].min_size, 0u);
  EXPECT_EQ((*rules)[1].max_size, 1024u);
  EXPECT_EQ((*rules)[2].kind, DigestRule::Kind::kSha1);
  EXPECT_EQ((*rules)[2].min_size, 3u);
  EXPECT_EQ((*rules)[2].max_size, 3u);

  const std::string md5 = R"("0183ffb97a996d80f25a63dbeda24cd2")";
  // Anything else is left to YARA.
  for (const std::string& text : std::vector<std::string>{
           "rule x { strings: $a = \"a\" condition: $a and hash.md5(0, filesize) == " + md5 + " }",
           "private rule x { condition: hash.md5(0, filesize) == " + md5 + " }",
           "rule x { condition: hash.md5(0, 100) == " + md5 + " }",
           "rule x { condition: hash.md5(0, filesize) == " + md5 + " or filesize < 3 }",
           "rule x { condition: filesize < 3 }",
           // YARA's digests are lower case: this one never matches there.
           "rule x { condition: hash.md5(0, filesize) == \"0183FFB97A996D80F25A63DBEDA24CD2\" }",
           "rule x { condition: hash.sha1(0, filesize) == " + md5 + " }",  // wrong length
           "rule x { condition: hash.md5(0, filesize) == " + md5 +
               " and hash.md5(0, filesize) == " + md5 + " }",
           "rule x { condition: hash.md5(0, filesize) == " + md5 + " }\nrule y { condition: true }",
           "rule x { condition: hash.md5(0, filesize) == " + md5 + " } /* open",
           "",
       }) {
    EXPECT_FALSE(DigestRules(text)) << text;
  }
}

// A file of digest rules is answered from the digests the caller gives,
// without YARA reading the bytes; without them, YARA scans it as written.
TEST(YaraRulesTest, DigestRulesAreAnsweredFromDigests) {
  const RuleDir rule_dir;
  ASSERT_FALSE(rule_dir.path().empty());
  const std::string& dir = rule_dir.path();
  std::ofstream(dir + "/hashes.yar") << R"(import "hash"
rule abc_md5 {
  meta:
    severity = "critical"
  condition:
    filesize < 10 and hash.md5(0, filesize) == "900150983cd24fb0d6963f7d28e17f72"
})";
  std::vector<Gap> problems;
  auto rules = YaraRules::Compile({dir + "/hashes.yar"}, problems);
  ASSERT_TRUE(rules) << rules.error().message();
  EXPECT_EQ((*rules)->gates().digest, 1u);
  EXPECT_TRUE((*rules)->digest_kinds().md5);
  EXPECT_FALSE((*rules)->digest_kinds().sha256);
  auto scanner = (*rules)->NewScanner();
  ASSERT_TRUE(scanner);
  const auto names = [](const std::vector<YaraMatch>& matches) {
    std::vector<std::string> out;
    for (const YaraMatch& m : matches) out.push_back(m.ns + ":" + m.rule);
    return out;
  };
  const std::vector<std::string> hit{"hashes:abc_md5"};
  Digests right, wrong;
  right.md5 = "900150983cd24fb0d6963f7d28e17f72";
  wrong.md5 = "00000000000000000000000000000000";
  auto m = (*scanner)->Scan("abc", "/x", right);
  ASSERT_TRUE(m);
  EXPECT_EQ(names(*m), hit);
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].Meta("severity"), "critical");
  // The given digest is what is compared, not the bytes.
  m = (*scanner)->Scan("abc", "/x", wrong);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->empty());
  // Without digests, YARA reads the bytes.
  m = (*scanner)->Scan("abc", "/x");
  ASSERT_TRUE(m);
  EXPECT_EQ(names(*m), hit);
  m = (*scanner)->Scan("abd", "/x");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->empty());
  // A file too large to read whole: its size and digests.
  EXPECT_EQ(names((*scanner)->MatchDigests(3, right)), hit);
  EXPECT_TRUE((*scanner)->MatchDigests(10, right).empty());  // outside filesize < 10
  EXPECT_TRUE((*scanner)->MatchDigests(3, {}).empty());
}

// Every file of the default pack is behind a gate: one that is not (a rule
// edited out of its gate's form) makes YARA read every byte of every file.
TEST(YaraRulesTest, DefaultPackIsGated) {
  std::vector<std::string> files;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(DEMINER_SOURCE_DIR) + "/rules/yara")) {
    if (e.path().extension() == ".yar") files.push_back(e.path().string());
  }
  std::vector<Gap> problems;
  auto rules = YaraRules::Compile(files, problems);
  ASSERT_TRUE(rules) << rules.error().message();
  EXPECT_TRUE(problems.empty());
  const YaraRules::GateCounts g = (*rules)->gates();
  EXPECT_EQ(g.digest, 1u);  // seed_hashes.yar
  EXPECT_EQ(g.strings, files.size() - 1);
  EXPECT_EQ(g.size, 0u);
  EXPECT_EQ(g.always, 0u);
  EXPECT_TRUE((*rules)->digest_kinds().md5);
}

}  // namespace
}  // namespace deminer
