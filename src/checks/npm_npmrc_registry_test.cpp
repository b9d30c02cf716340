#include <gtest/gtest.h>

#include "checks/npm_test_facts.h"

namespace deminer {
extern const Check kNpmNpmrcRegistry;
namespace {

struct RegistryCase {
  const char* what;
  const char* scope;
  const char* key;
  const char* value;
  Severity severity;  // kInfo: no finding
};

class NpmNpmrcRegistryTest : public ::testing::TestWithParam<RegistryCase> {};

// npm's default (from `npm config get registry`) and the lockfile both use
// mirror.corp.test; each case adds one setting.
TEST_P(NpmNpmrcRegistryTest, JudgesAgainstNpmsOwnConfigAndTheLockfile) {
  const RegistryCase& c = GetParam();
  NpmProject project = MakeProject();
  project.packages.push_back(MakePackage("a", "1.0.0"));
  project.npmrc.push_back(MakeSetting(c.scope, c.key, c.value));
  NpmrcSetting def = MakeSetting("default", "registry", "https://mirror.corp.test/");
  def.file = "npm config get registry";
  project.npmrc.push_back(def);
  const auto out = RunOnProject(kNpmNpmrcRegistry, project);
  if (c.severity == Severity::kInfo) {
    EXPECT_TRUE(out.empty()) << c.what << ": " << (out.empty() ? "" : out[0].evidence.dump());
    return;
  }
  ASSERT_EQ(out.size(), 1u) << c.what;
  EXPECT_EQ(out[0].severity, c.severity) << c.what << ": " << out[0].evidence.dump();
  EXPECT_EQ(out[0].evidence["key"], c.key);
}

INSTANTIATE_TEST_SUITE_P(
    Settings, NpmNpmrcRegistryTest,
    ::testing::Values(RegistryCase{"same as default", "project", "registry",
                                   "https://mirror.corp.test/", Severity::kInfo},
                      RegistryCase{"user mirror", "user", "registry",
                                   "https://mirror.example.test/", Severity::kInfo},
                      RegistryCase{"project other host", "project", "registry",
                                   "https://evil.example.test/", Severity::kMedium},
                      RegistryCase{"project http", "project", "registry",
                                   "http://mirror.example.test/", Severity::kHigh},
                      RegistryCase{"user http", "user", "registry", "http://mirror.example.test/",
                                   Severity::kHigh},
                      RegistryCase{"raw ip https", "project", "registry", "https://203.0.113.9/",
                                   Severity::kMedium},
                      RegistryCase{"raw ip http", "global", "registry", "http://203.0.113.9:4873/",
                                   Severity::kHigh},
                      RegistryCase{"loopback http", "user", "registry", "http://127.0.0.1:4873/",
                                   Severity::kMedium},
                      RegistryCase{"scoped project", "project", "@acme:registry",
                                   "https://npm.acme.example/", Severity::kMedium},
                      RegistryCase{"scoped user", "user", "@acme:registry",
                                   "https://npm.acme.example/", Severity::kLow},
                      RegistryCase{"scoped same", "project", "@acme:registry",
                                   "https://mirror.corp.test/acme/", Severity::kInfo}),
    [](const auto& param_info) {
      std::string n = param_info.param.what;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

}  // namespace
}  // namespace deminer
