#include <fmt/format.h>
#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {

extern const Check kNpmTamperedFiles;

namespace {

NpmProject WithCheck(RegistryCheck r) {
  NpmProject p;
  p.dir = "/srv/app";
  p.display = "/srv/app";
  p.verified = true;
  r.name = r.name.empty() ? "lodash" : r.name;
  r.version = "4.17.21";
  r.path = "node_modules/" + r.name;
  r.tarball = "cache";
  r.files_compared = 100;
  p.registry.push_back(std::move(r));
  return p;
}

std::vector<Finding> RunOn(RegistryCheck r) {
  Facts facts = BaseFacts();
  facts.npm_projects.push_back(WithCheck(std::move(r)));
  return RunCheck(kNpmTamperedFiles, facts);
}

TEST(NpmTamperedFilesCheckTest, SeverityByWhatChanged) {
  struct Case {
    const char* name;
    std::vector<std::string> modified, added, removed;
    Severity want;
  } cases[] = {
      {"modified js", {"lodash.js"}, {}, {}, Severity::kCritical},
      {"modified mjs", {"esm/index.mjs"}, {}, {}, Severity::kCritical},
      {"modified cjs", {"index.cjs"}, {}, {}, Severity::kCritical},
      {"modified json", {"package.json"}, {}, {}, Severity::kCritical},
      {"added js", {}, {"lib/loader.js"}, {}, Severity::kCritical},
      {"added shell", {}, {"x.sh"}, {}, Severity::kCritical},
      {"modified readme", {"README.md"}, {}, {}, Severity::kHigh},
      {"added text", {}, {"notes.txt"}, {}, Severity::kHigh},
      {"removed js", {}, {}, {"fp.js"}, Severity::kHigh},
  };
  for (const Case& c : cases) {
    RegistryCheck r;
    r.modified = c.modified;
    r.added = c.added;
    r.removed = c.removed;
    const auto out = RunOn(r);
    ASSERT_EQ(out.size(), 1u) << c.name;
    EXPECT_EQ(out[0].severity, c.want) << c.name;
    EXPECT_EQ(out[0].subject, "lodash@4.17.21 in /srv/app") << c.name;
  }
}

TEST(NpmTamperedFilesCheckTest, EvidenceListsFilesAndPathIsFirstModified) {
  RegistryCheck r;
  r.modified = {"a.js", "b.js"};
  r.added = {"evil.js"};
  r.removed = {"LICENSE"};
  r.built = {"build/Release/x.node"};
  const auto out = RunOn(r);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, "/srv/app/node_modules/lodash/a.js");
  EXPECT_EQ(out[0].evidence["modified"], (nlohmann::ordered_json{"a.js", "b.js"}));
  EXPECT_EQ(out[0].evidence["added"], (nlohmann::ordered_json{"evil.js"}));
  EXPECT_EQ(out[0].evidence["removed"], (nlohmann::ordered_json{"LICENSE"}));
  EXPECT_EQ(out[0].evidence["build_output"], (nlohmann::ordered_json{"build/Release/x.node"}));
  EXPECT_EQ(out[0].evidence["files_compared"], 100);
}

TEST(NpmTamperedFilesCheckTest, EvidenceIsBounded) {
  RegistryCheck r;
  for (int i = 0; i < 50; ++i) r.modified.push_back(fmt::format("f{}.js", i));
  const auto out = RunOn(r);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].evidence["modified"].size(), 21u);
  EXPECT_EQ(out[0].evidence["modified"][20], "... 30 more");
}

TEST(NpmTamperedFilesCheckTest, QuietForCleanBuildOnlyAndUnverifiable) {
  RegistryCheck clean;
  EXPECT_TRUE(RunOn(clean).empty());
  RegistryCheck built;
  built.built = {"build/Release/binding.node", "prebuilds/linux-x64/x.node"};
  EXPECT_TRUE(RunOn(built).empty());
  RegistryCheck unverifiable;
  unverifiable.not_verifiable = "a git dependency";
  EXPECT_TRUE(RunOn(unverifiable).empty());
  RegistryCheck unavailable;
  unavailable.unavailable = true;
  unavailable.error = "HTTP 404";
  EXPECT_TRUE(RunOn(unavailable).empty());
}

TEST(NpmTamperedFilesCheckTest, OnePerPackageWithDistinctFingerprints) {
  Facts facts = BaseFacts();
  RegistryCheck a;
  a.modified = {"index.js"};
  RegistryCheck b = a;
  b.name = "chalk";
  NpmProject p = WithCheck(a);
  p.registry.push_back(WithCheck(b).registry[0]);
  facts.npm_projects.push_back(p);
  const auto out = RunCheck(kNpmTamperedFiles, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NE(out[0].fingerprint, out[1].fingerprint);
}

}  // namespace
}  // namespace deminer
