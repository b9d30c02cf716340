#include <gtest/gtest.h>

#include "checks/test_facts.h"
#include "match/js_heuristics.h"

namespace deminer {
extern const Check kNpmSuspiciousCode;
namespace {

JsFileScore Scored(std::string path, std::vector<std::pair<std::string, int>> ids,
                   std::string package = "") {
  JsFileScore js;
  js.path = std::move(path);
  js.area = package.empty() ? "build" : "node_modules";
  js.package = std::move(package);
  js.project = "/srv/app";
  js.size = 1234;
  js.sha256 = std::string(64, 'a');
  int line = 3;
  for (auto& [id, w] : ids) {
    js.signals.push_back({id, w, line++, "excerpt of " + id, "why " + id});
    js.score += w;
  }
  return js;
}

std::vector<Finding> RunOn(std::vector<JsFileScore> files) {
  Facts facts = BaseFacts();
  facts.js_files = std::move(files);
  return RunCheck(kNpmSuspiciousCode, facts);
}

struct SevCase {
  std::string name;
  std::vector<std::pair<std::string, int>> signals;
  Severity want;
};

class NpmSuspiciousCodeSeverityTest : public testing::TestWithParam<SevCase> {};

TEST_P(NpmSuspiciousCodeSeverityTest, SeverityFollowsTheSignals) {
  const auto out =
      RunOn({Scored("/srv/app/node_modules/x/index.js", GetParam().signals, "x@1.0.0")});
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].severity, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Table, NpmSuspiciousCodeSeverityTest,
    testing::Values(SevCase{"dropper",
                            {{"dropper-chain", 6}, {"child-process", 2}, {"download-command", 3}},
                            Severity::kCritical},
                    SevCase{"miner", {{"miner-pool", 8}, {"miner-string", 4}}, Severity::kCritical},
                    SevCase{"eval_base64", {{"exec-decoded", 10}}, Severity::kHigh},
                    SevCase{
                        "obfuscated_exec",
                        {{"obfuscator-rotation", 6}, {"obfuscated-exec", 4}, {"child-process", 2}},
                        Severity::kHigh},
                    SevCase{"obfuscation_only",
                            {{"obfuscator-identifiers", 6}, {"obfuscator-rotation", 6}},
                            Severity::kMedium}),
    [](const testing::TestParamInfo<SevCase>& i) { return i.param.name; });

TEST(NpmSuspiciousCodeCheckTest, OneFindingPerFileWithEvidence) {
  const auto out =
      RunOn({Scored("/srv/app/node_modules/bcryptjs/dist/bcrypt.js",
                    {{"dropper-chain", 6}, {"download-command", 3}, {"child-process", 2}},
                    "bcryptjs@3.0.3"),
             Scored("/srv/app/.next/server/chunks/42.js", {{"exec-decoded", 10}})});
  ASSERT_EQ(out.size(), 2U);
  const Finding& f = out[0];
  EXPECT_EQ(f.check, "npm.suspicious-code");
  EXPECT_EQ(f.subject, "/srv/app/node_modules/bcryptjs/dist/bcrypt.js (bcryptjs@3.0.3)");
  EXPECT_EQ(f.path, "/srv/app/node_modules/bcryptjs/dist/bcrypt.js");
  EXPECT_EQ(f.line, 3);  // the strongest signal's
  EXPECT_EQ(f.evidence["score"], 11);
  EXPECT_EQ(f.evidence["package"], "bcryptjs@3.0.3");
  EXPECT_EQ(f.evidence["area"], "node_modules");
  EXPECT_EQ(f.evidence["sha256"], std::string(64, 'a'));
  ASSERT_EQ(f.evidence["signals"].size(), 3U);
  EXPECT_EQ(f.evidence["signals"][0]["id"], "dropper-chain");
  EXPECT_EQ(f.evidence["signals"][0]["line"], 3);
  EXPECT_EQ(f.evidence["signals"][0]["excerpt"], "excerpt of dropper-chain");
  EXPECT_NE(f.remediation.find("bcryptjs@3.0.3"), std::string::npos);
  EXPECT_EQ(out[1].evidence["area"], "build");
  EXPECT_FALSE(out[1].evidence.contains("package"));
  EXPECT_NE(out[1].remediation.find("deminer diff"), std::string::npos);
  EXPECT_NE(out[0].fingerprint, out[1].fingerprint);
}

TEST(NpmSuspiciousCodeCheckTest, FingerprintStableAcrossRuns) {
  const auto a = RunOn({Scored("/srv/app/dist/a.js", {{"exec-decoded", 10}})});
  auto changed = Scored("/srv/app/dist/a.js", {{"exec-decoded", 10}, {"packer", 6}});
  changed.sha256 = std::string(64, 'b');
  const auto b = RunOn({changed});
  ASSERT_EQ(a.size(), 1U);
  ASSERT_EQ(b.size(), 1U);
  EXPECT_EQ(a[0].fingerprint, b[0].fingerprint);
}

TEST(NpmSuspiciousCodeCheckTest, BelowThresholdAndNoFilesAreQuiet) {
  EXPECT_TRUE(RunOn({}).empty());
  EXPECT_TRUE(RunOn({Scored("/srv/app/dist/a.js", {{"child-process", 2}})}).empty());
}

}  // namespace
}  // namespace deminer
