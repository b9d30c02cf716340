#include <gtest/gtest.h>

#include "checks/npm_test_facts.h"

namespace deminer {
extern const Check kNpmLockfileSource;
namespace {

struct SourceCase {
  const char* what;
  const char* resolved;
  const char* integrity;
  Severity severity;  // kInfo: no finding
};

class NpmLockfileSourceTest : public ::testing::TestWithParam<SourceCase> {};

// Three packages from mirror.corp.test make it the dominant host; the
// case's package is judged against it.
TEST_P(NpmLockfileSourceTest, JudgesEachEntrysSource) {
  const SourceCase& c = GetParam();
  NpmProject project = MakeProject();
  for (const char* n : {"a", "b", "c"}) project.packages.push_back(MakePackage(n, "1.0.0"));
  NpmPackage p = MakePackage("x", "2.0.0", {"a@1.0.0", "x@2.0.0"});
  p.resolved = c.resolved;
  p.integrity = c.integrity;
  p.line = 77;
  project.packages.push_back(p);
  const auto out = RunOnProject(kNpmLockfileSource, project);
  if (c.severity == Severity::kInfo) {
    EXPECT_TRUE(out.empty()) << c.what << ": " << (out.empty() ? "" : out[0].subject);
    return;
  }
  ASSERT_EQ(out.size(), 1u) << c.what;
  EXPECT_EQ(out[0].severity, c.severity) << out[0].subject;
  EXPECT_EQ(out[0].line, 77);
  EXPECT_EQ(out[0].path, "/srv/app/package-lock.json");
}

INSTANTIATE_TEST_SUITE_P(
    Entries, NpmLockfileSourceTest,
    ::testing::Values(
        SourceCase{"registry", "https://mirror.corp.test/x/-/x-2.0.0.tgz", "sha512-A",
                   Severity::kInfo},
        SourceCase{"no resolved", "", "sha512-A", Severity::kInfo},
        SourceCase{"other host", "https://cdn.example.org/x/-/x-2.0.0.tgz", "sha512-A",
                   Severity::kMedium},
        SourceCase{"http", "http://mirror.corp.test/x/-/x-2.0.0.tgz", "sha512-A",
                   Severity::kHigh},
        SourceCase{"git branch", "git+ssh://git@git.example.test/x.git#main", "",
                   Severity::kMedium},
        SourceCase{"git commit",
                   "git+ssh://git@git.example.test/x.git#0123456789abcdef0123456789abcdef01234567",
                   "", Severity::kInfo},
        SourceCase{"no integrity", "https://mirror.corp.test/x/-/x-2.0.0.tgz", "",
                   Severity::kMedium},
        SourceCase{"file", "file:../x", "", Severity::kInfo}),
    [](const auto& param_info) {
      std::string n = param_info.param.what;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(NpmLockfileSourceCheckTest, LinksBundledAndNoLockfileAreQuiet) {
  NpmProject project = MakeProject();
  NpmPackage l = MakePackage("ws", "0.0.0");
  l.resolved = "http://203.0.113.1/x.tgz";
  l.link = true;
  project.packages.push_back(l);
  NpmPackage b = MakePackage("inner", "1.0.0");
  b.integrity.clear();
  b.bundled = true;
  project.packages.push_back(b);
  EXPECT_TRUE(RunOnProject(kNpmLockfileSource, project).empty());
  project.kind = LockfileKind::kNone;
  project.packages[0].link = false;
  EXPECT_TRUE(RunOnProject(kNpmLockfileSource, project).empty());
}

}  // namespace
}  // namespace deminer
