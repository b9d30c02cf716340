#include <gtest/gtest.h>

#include "checks/npm_test_facts.h"

namespace deminer {
extern const Check kNpmNpmrcScripts;
namespace {

TEST(NpmNpmrcScriptsCheckTest, InstallScriptsWithoutIgnoreScriptsIsLow) {
  NpmProject project = MakeProject();
  NpmPackage p = MakePackage("sharp", "0.33.0");
  project.scripts.push_back(MakeScript(p, "install", "node install/check"));
  project.packages.push_back(p);
  NpmPackage q = MakePackage("esbuild", "0.20.0");
  q.has_install_script = true;
  project.packages.push_back(q);
  auto out = RunOnProject(kNpmNpmrcScripts, project);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kLow);
  EXPECT_EQ(out[0].evidence["count"], 2);

  project.npmrc.push_back(MakeSetting("project", "ignore-scripts", "true"));
  EXPECT_TRUE(RunOnProject(kNpmNpmrcScripts, project).empty());
  // The project's file outranks the user's.
  project.npmrc.front().value = "false";
  project.npmrc.push_back(MakeSetting("user", "ignore-scripts", "true"));
  EXPECT_EQ(RunOnProject(kNpmNpmrcScripts, project).size(), 1u);
}

TEST(NpmNpmrcScriptsCheckTest, NoInstallScriptsNoFinding) {
  NpmProject project = MakeProject();
  project.packages.push_back(MakePackage("left-pad", "1.3.0"));
  NpmScript root;
  root.package = "app";
  root.event = "postinstall";
  root.command = "patch-package";
  root.root = true;
  project.scripts.push_back(root);
  EXPECT_TRUE(RunOnProject(kNpmNpmrcScripts, project).empty());
}

}  // namespace
}  // namespace deminer
