#include <gtest/gtest.h>

#include "checks/npm_test_facts.h"

namespace deminer {
extern const Check kNpmNpmrcToken;
namespace {

TEST(NpmNpmrcTokenCheckTest, ProjectTokenIsHighUserTokenMediumReferencesQuiet) {
  NpmProject project = MakeProject();
  project.npmrc.push_back(
      MakeSetting("project", "//mirror.corp.test/:_authToken", "<redacted>", true));
  project.npmrc.push_back(
      MakeSetting("user", "//mirror.corp.test/:_auth", "<redacted>", true));
  project.npmrc.push_back(
      MakeSetting("user", "//other.example.test/:_authToken", "${NPM_TOKEN}", false));
  const auto out = RunOnProject(kNpmNpmrcToken, project);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].path, "/srv/app/.npmrc");
  EXPECT_EQ(out[0].evidence["value"], "<redacted>");
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_EQ(out[1].path, "/home/u/.npmrc");
  EXPECT_NE(out[0].fingerprint, out[1].fingerprint);
}

}  // namespace
}  // namespace deminer
