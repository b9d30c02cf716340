#include <gtest/gtest.h>

#include "checks/npm_test_facts.h"

namespace deminer {
extern const Check kNpmMaliciousPackage;
namespace {

std::vector<Finding> RunMalicious(const RulePack& rules, std::vector<NpmPackage> packages) {
  return RunOnProject(kNpmMaliciousPackage, MakeProject(std::move(packages)), rules);
}

TEST(NpmMaliciousPackageCheckTest, CompromisedChalkIsCriticalWithChainAndLine) {
  const auto out =
      RunMalicious(DefaultRules(), {MakePackage("chalk", "5.6.0", {"chalk@5.6.0"}, 10),
                                    MakePackage("chalk", "5.6.1", {"app-lib@1.0.0", "chalk@5.6.1"}, 42),
                                    MakePackage("debug", "4.4.1", {"debug@4.4.1"}, 50)});
  ASSERT_EQ(out.size(), 1u);
  const Finding& f = out[0];
  EXPECT_EQ(f.check, "npm.malicious-package");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.kind, Kind::kCompromise);
  EXPECT_EQ(f.subject, "chalk@5.6.1 in /srv/app");
  EXPECT_EQ(f.path, "/srv/app/package-lock.json");
  EXPECT_EQ(f.line, 42);
  EXPECT_EQ(f.evidence["advisories"], nlohmann::ordered_json::array({"MAL-2025-46969"}));
  EXPECT_EQ(f.evidence["aliases"], nlohmann::ordered_json::array({"GHSA-2v46-p5h4-248w"}));
  EXPECT_EQ(f.evidence["via"], "app-lib@1.0.0 > chalk@5.6.1");
  EXPECT_EQ(f.evidence["lockfile"], "/srv/app/package-lock.json:42");
  EXPECT_EQ(f.evidence["project"], "/srv/app");
  EXPECT_EQ(f.evidence["summary"], "Malicious code in chalk (npm)");
  EXPECT_NE(f.remediation.find("5.6.1"), std::string::npos);
  EXPECT_NE(f.remediation.find("rotate"), std::string::npos);
  EXPECT_FALSE(f.fingerprint.empty());
}

TEST(NpmMaliciousPackageCheckTest, OneFindingPerPackageVersionAndStableFingerprint) {
  const auto a =
      RunMalicious(DefaultRules(), {MakePackage("debug", "4.4.2", {"debug@4.4.2"}, 5),
                                    MakePackage("debug", "4.4.2", {"x@1.0.0", "debug@4.4.2"}, 9)});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].evidence["copies"], 2);
  EXPECT_EQ(a[0].line, 5);
  const auto b = RunMalicious(DefaultRules(), {MakePackage("debug", "4.4.2", {"debug@4.4.2"}, 77)});
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].fingerprint, b[0].fingerprint);
}

TEST(NpmMaliciousPackageCheckTest, VulnerableOnlyPackagesAreNotMalicious) {
  EXPECT_TRUE(RunMalicious(DefaultRules(), {MakePackage("next", "15.0.4", {"next@15.0.4"}, 3),
                                            MakePackage("lodash", "4.17.19", {"lodash@4.17.19"}, 4)})
                  .empty());
}

TEST(NpmMaliciousPackageCheckTest, BuiltInSetDoesNotFlagEveryTinycolorButStrictUserDataDoes) {
  const std::vector<NpmPackage> pkgs = {
      MakePackage("@ctrl/tinycolor", "3.4.0", {"@ctrl/tinycolor@3.4.0"}, 7)};
  EXPECT_TRUE(RunMalicious(DefaultRules(), pkgs).empty());
  RulePack rules = DefaultRules();
  ASSERT_TRUE(AddAdvisories(rules, std::string(DEMINER_SHARED_DIR) + "/osv"));
  const auto out = RunMalicious(rules, pkgs);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["advisories"], nlohmann::ordered_json::array({"MAL-2025-47141"}));
  ASSERT_TRUE(out[0].evidence.contains("covers"));
  EXPECT_NE(out[0].evidence["covers"].get<std::string>().find("every version"), std::string::npos);
  EXPECT_NE(out[0].remediation.find("Every version of @ctrl/tinycolor"), std::string::npos);
}

TEST(NpmMaliciousPackageCheckTest, FixedVersionIsNamedWhenTheAdvisoryHasOne) {
  RulePack rules = DefaultRules();
  ASSERT_TRUE(AddAdvisories(rules, std::string(DEMINER_SHARED_DIR) + "/osv/malicious"));
  const auto out =
      RunMalicious(rules, {MakePackage("@solana/web3.js", "1.95.6", {"@solana/web3.js@1.95.6"}, 8)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["fixed"], nlohmann::ordered_json::array({"1.95.8"}));
  EXPECT_NE(out[0].remediation.find("Move @solana/web3.js to 1.95.8"), std::string::npos);
}

TEST(NpmMaliciousPackageCheckTest, NoAdvisoriesNoFindings) {
  RulePack empty;
  EXPECT_TRUE(RunMalicious(empty, {MakePackage("chalk", "5.6.1", {}, 1)}).empty());
}

}  // namespace
}  // namespace deminer
