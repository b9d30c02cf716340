#include <gtest/gtest.h>

#include "checks/npm_test_facts.h"

namespace deminer {
extern const Check kNpmVulnerablePackage;
namespace {

std::vector<Finding> RunVulnerable(const RulePack& rules, std::vector<NpmPackage> packages) {
  return RunOnProject(kNpmVulnerablePackage, MakeProject(std::move(packages)), rules);
}

const Finding* Find(const std::vector<Finding>& out, const std::string& subject) {
  for (const Finding& f : out) {
    if (f.subject == subject) return &f;
  }
  return nullptr;
}

TEST(NpmVulnerablePackageCheckTest, VulnerableNextListsBothAdvisoriesAndTheSeedNote) {
  const auto out = RunVulnerable(DefaultRules(), {MakePackage("next", "15.0.4", {"next@15.0.4"}, 120)});
  ASSERT_EQ(out.size(), 1u);
  const Finding& f = out[0];
  EXPECT_EQ(f.check, "npm.vulnerable-package");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.kind, Kind::kWeakness);
  EXPECT_EQ(f.subject, "next@15.0.4 in /srv/app");
  EXPECT_EQ(f.path, "/srv/app/package-lock.json");
  EXPECT_EQ(f.line, 120);
  EXPECT_EQ(f.evidence["advisories"],
            nlohmann::ordered_json::array({"GHSA-9qr9-h5gf-34mp", "GHSA-f82v-jwr5-mffw"}));
  const auto aliases = f.evidence["aliases"];
  EXPECT_NE(std::find(aliases.begin(), aliases.end(), "CVE-2025-66478"), aliases.end());
  EXPECT_NE(std::find(aliases.begin(), aliases.end(), "CVE-2025-29927"), aliases.end());
  ASSERT_EQ(f.evidence["details"].size(), 2u);
  EXPECT_EQ(f.evidence["details"][0]["fixed"], nlohmann::ordered_json::array({"15.0.5"}));
  EXPECT_EQ(f.evidence["details"][1]["fixed"], nlohmann::ordered_json::array({"15.2.3"}));
  // 15.0.5 still has the middleware bypass, 15.2.3 the RSC RCE: 15.2.6 clears both.
  EXPECT_EQ(f.evidence["upgrade_to"], "15.2.6");
  EXPECT_NE(f.remediation.find("Upgrade next to 15.2.6"), std::string::npos);
  ASSERT_TRUE(f.evidence.contains("note"));
  EXPECT_NE(f.evidence["note"].get<std::string>().find("supply-chain"), std::string::npos);
  EXPECT_NE(f.remediation.find("likely result of this RCE"), std::string::npos);
  EXPECT_EQ(f.evidence["via"], "next@15.0.4");
}

TEST(NpmVulnerablePackageCheckTest, SeverityFollowsTheMostSevereAdvisory) {
  const auto out = RunVulnerable(
      DefaultRules(),
      {MakePackage("lodash", "4.17.19", {"lodash@4.17.19"}, 5),
       MakePackage("lodash", "4.17.20", {"lodash@4.17.20"}, 6),
       MakePackage("minimist", "1.2.5", {"mkdirp@0.5.5", "minimist@1.2.5"}, 7),
       MakePackage("react-server-dom-webpack", "19.2.0", {"react-server-dom-webpack@19.2.0"}, 8)});
  ASSERT_EQ(out.size(), 3u);
  const Finding* lodash = Find(out, "lodash@4.17.19 in /srv/app");
  ASSERT_NE(lodash, nullptr);
  EXPECT_EQ(lodash->severity, Severity::kHigh);  // HIGH upstream
  EXPECT_EQ(lodash->evidence["upgrade_to"], "4.17.20");
  EXPECT_FALSE(lodash->evidence.contains("note"));
  const Finding* minimist = Find(out, "minimist@1.2.5 in /srv/app");
  ASSERT_NE(minimist, nullptr);
  EXPECT_EQ(minimist->severity, Severity::kCritical);
  EXPECT_EQ(minimist->evidence["via"], "mkdirp@0.5.5 > minimist@1.2.5");
  EXPECT_NE(minimist->remediation.find("overrides"), std::string::npos);
  const Finding* rsc = Find(out, "react-server-dom-webpack@19.2.0 in /srv/app");
  ASSERT_NE(rsc, nullptr);
  EXPECT_EQ(rsc->evidence["aliases"], nlohmann::ordered_json::array({"CVE-2025-55182"}));
  EXPECT_EQ(rsc->evidence["upgrade_to"], "19.2.1");
  EXPECT_TRUE(rsc->evidence.contains("note"));
}

TEST(NpmVulnerablePackageCheckTest, PatchedAndMaliciousOnlyVersionsGiveNothing) {
  EXPECT_TRUE(
      RunVulnerable(DefaultRules(), {MakePackage("next", "15.2.6", {}, 1), MakePackage("next", "16.0.7", {}, 2),
                                     MakePackage("chalk", "5.6.1", {}, 3), MakePackage("minimist", "1.2.8", {}, 4),
                                     MakePackage("next", "github:vercel/next.js#canary", {}, 5)})
          .empty());
}

TEST(NpmVulnerablePackageCheckTest, CanaryOfTheFourteenThreeLineCarriesTheRecordsNote) {
  const auto out = RunVulnerable(DefaultRules(), {MakePackage("next", "14.3.0-canary.80", {}, 9)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["advisories"], nlohmann::ordered_json::array({"GHSA-9qr9-h5gf-34mp"}));
  ASSERT_TRUE(out[0].evidence.contains("advisory_notes"));
  EXPECT_NE(out[0].evidence["advisory_notes"].dump().find("No fixed 14.3.0 canary exists"),
            std::string::npos);
}

}  // namespace
}  // namespace deminer
