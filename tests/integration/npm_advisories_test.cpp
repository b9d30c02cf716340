// The advisory checks end to end: a lockfile with a compromised version of
// the September 2025 npm attack (chalk 5.6.1, no longer on the registry, so
// the lockfile is written by the test, without `resolved` URLs) and a `next`
// exposed to the React Server Components RCE, scanned by the deminer binary
// with its built-in advisories, then with ../shared/osv as --advisories.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"

namespace deminer::it {
namespace {

constexpr const char* kLock = R"({
  "name": "shop",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "shop",
      "version": "1.0.0",
      "dependencies": {"chalk": "5.6.1", "next": "15.0.4", "@ctrl/tinycolor": "4.1.0"}
    },
    "node_modules/chalk": {
      "version": "5.6.1",
      "integrity": "sha512-AAAA"
    },
    "node_modules/next": {
      "version": "15.0.4",
      "integrity": "sha512-BBBB"
    },
    "node_modules/@ctrl/tinycolor": {
      "version": "4.1.0",
      "integrity": "sha512-CCCC"
    }
  }
}
)";

class NpmAdvisoriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "package.json")
        << R"({"name": "shop", "version": "1.0.0", "dependencies": {"chalk": "5.6.1", "next": "15.0.4", "@ctrl/tinycolor": "4.1.0"}})";
    std::ofstream(dir_ / "package-lock.json") << kLock;
  }
  TempDir dir_;
};

TEST_F(NpmAdvisoriesTest, BuiltInSetFindsTheCompromisedChalkAndTheVulnerableNext) {
  int code = -1;
  const auto scan = ScanJson({dir_.path(), "--only", "npm"}, {}, &code);
  const auto mal = FindingsOf(scan, "npm.malicious-package", "chalk@5.6.1 in " + dir_.path());
  if (mal.empty() && FindingsOf(scan, "npm.vulnerable-package").empty()) {
    GTEST_SKIP() << "this build reads no lockfile packages yet (sources/npm_lockfile)";
  }
  ASSERT_EQ(mal.size(), 1u);
  EXPECT_EQ(mal[0]["severity"], "critical");
  EXPECT_EQ(mal[0]["evidence"]["advisories"][0], "MAL-2025-46969");
  EXPECT_EQ(mal[0]["path"], dir_ / "package-lock.json");
  EXPECT_GT(mal[0]["line"].get<int>(), 0);
  const auto next = FindingsOf(scan, "npm.vulnerable-package", "next@15.0.4 in " + dir_.path());
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0]["severity"], "critical");
  EXPECT_EQ(next[0]["evidence"]["upgrade_to"], "15.2.6");
  EXPECT_TRUE(next[0]["evidence"].contains("note"));
  // The built-in set does not hold the every-version tinycolor record.
  EXPECT_TRUE(
      FindingsOf(scan, "npm.malicious-package", "@ctrl/tinycolor@4.1.0 in " + dir_.path()).empty());
  EXPECT_EQ(code, 1);  // findings at or above high
}

TEST_F(NpmAdvisoriesTest, UserAdvisoriesAreStrictAndABadFileIsAGap) {
  TempDir extra;
  std::ofstream(extra / "broken.json") << "{\"id\": ";
  const auto scan =
      ScanJson({dir_.path(), "--only", "npm", "--advisories",
                std::string(DEMINER_SHARED_DIR) + "/osv", "--advisories", extra.path()});
  if (FindingsOf(scan, "npm.malicious-package").empty()) {
    GTEST_SKIP() << "this build reads no lockfile packages yet (sources/npm_lockfile)";
  }
  const auto tiny =
      FindingsOf(scan, "npm.malicious-package", "@ctrl/tinycolor@4.1.0 in " + dir_.path());
  ASSERT_EQ(tiny.size(), 1u);
  EXPECT_EQ(tiny[0]["evidence"]["advisories"][0], "MAL-2025-47141");
  EXPECT_NE(tiny[0]["evidence"]["covers"].get<std::string>().find("every version"),
            std::string::npos);
  // chalk: one finding, one advisory, although the built-in set, the shared
  // copy, two transient MAL-0000 files and the consolidated list all name it.
  const auto chalk = FindingsOf(scan, "npm.malicious-package", "chalk@5.6.1 in " + dir_.path());
  ASSERT_EQ(chalk.size(), 1u);
  EXPECT_EQ(chalk[0]["evidence"]["advisories"].size(), 1u);
  EXPECT_NE(scan.dump().find("broken.json"), std::string::npos);
}

}  // namespace
}  // namespace deminer::it
