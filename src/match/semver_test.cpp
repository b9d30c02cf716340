#include "match/semver.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace deminer {
namespace {

struct ParseCase {
  std::string text;
  bool ok;
  std::string normalised;  // ToString() when ok
};

TEST(SemVerTest, ParsesWhatNpmAcceptsAndRejectsTheRest) {
  const std::vector<ParseCase> cases = {
      {"1.2.3", true, "1.2.3"},
      {"0.0.0", true, "0.0.0"},
      {"v1.2.3", true, "1.2.3"},
      {"=1.2.3", true, "1.2.3"},
      {"=v1.2.3", true, "1.2.3"},
      {"  1.2.3\t", true, "1.2.3"},
      {"1.2.3-alpha.1", true, "1.2.3-alpha.1"},
      {"6.11.2-alpha.1", true, "6.11.2-alpha.1"},
      {"14.3.0-canary.80", true, "14.3.0-canary.80"},
      {"0.16.20-20251124101628", true, "0.16.20-20251124101628"},
      {"1.0.0-x-y.0", true, "1.0.0-x-y.0"},
      {"1.0.0+build.007", true, "1.0.0+build.007"},
      {"1.0.0-rc.1+sha.5114f85", true, "1.0.0-rc.1+sha.5114f85"},
      {"9007199254740991.0.0", true, "9007199254740991.0.0"},
      // garbage
      {"", false, ""},
      {"   ", false, ""},
      {"v", false, ""},
      {"1", false, ""},
      {"1.2", false, ""},
      {"1.2.", false, ""},
      {"1..3", false, ""},
      {"1.2.3.4", false, ""},
      {"01.2.3", false, ""},
      {"1.02.3", false, ""},
      {"1.2.03", false, ""},
      {"1.2.3-01", false, ""},
      {"1.2.3-", false, ""},
      {"1.2.3-a..b", false, ""},
      {"1.2.3-a.", false, ""},
      {"1.2.3+", false, ""},
      {"1.2.3+a+b", false, ""},
      {"1.2.3-a_b", false, ""},
      {"1.2.3 -a", false, ""},
      {"-1.2.3", false, ""},
      {"^1.2.3", false, ""},
      {">=1.0.0 <2", false, ""},
      {"latest", false, ""},
      {"github:user/repo#abc", false, ""},
      {"file:../x", false, ""},
      {"9007199254740992.0.0", false, ""},
      {"99999999999999999999.0.0", false, ""},
      {"1.2.3x", false, ""},
      {std::string("1.2.3\0", 6), false, ""},
      {"1.2.3-" + std::string(300, 'a'), false, ""},
  };
  for (const ParseCase& c : cases) {
    const auto v = SemVer::Parse(c.text);
    EXPECT_EQ(v.has_value(), c.ok) << "'" << c.text << "'";
    if (v && c.ok) {
      EXPECT_EQ(v->ToString(), c.normalised) << c.text;
    }
  }
}

TEST(SemVerTest, FieldsAreParsed) {
  const auto v = SemVer::Parse("v10.20.30-rc.1+b.2");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->major(), 10u);
  EXPECT_EQ(v->minor(), 20u);
  EXPECT_EQ(v->patch(), 30u);
  EXPECT_EQ(v->prerelease(), "rc.1");
  EXPECT_EQ(v->build(), "b.2");
  EXPECT_TRUE(v->IsPrerelease());
}

int Cmp(const std::string& a, const std::string& b) {
  const auto va = SemVer::Parse(a);
  const auto vb = SemVer::Parse(b);
  EXPECT_TRUE(va && vb) << a << " " << b;
  if (!va || !vb) return 99;
  return SemVer::Compare(*va, *vb);
}

TEST(SemVerTest, PrecedenceFollowsSemVer2) {
  // SemVer 2.0 section 11's own example chain, plus npm's usual suspects;
  // each element sorts strictly below the next.
  const std::vector<std::string> ascending = {
      "0.0.0",
      "0.0.1",
      "0.1.0",
      "0.9.99",
      "1.0.0-0",
      "1.0.0-1",
      "1.0.0-2",
      "1.0.0-10",
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.2.0",
      "1.10.0",
      "2.0.0",
      "4.17.19",
      "4.17.20",
      "14.3.0-canary.77",
      "14.3.0-canary.80",
      "14.3.0-canary.100",
      "14.3.0",
      "15.0.0",
      "15.0.4",
      "15.0.5",
      "15.6.0-canary.0",
      "15.6.0-canary.58",
      "15.6.0",
      "100.0.0",
  };
  for (size_t i = 0; i < ascending.size(); ++i) {
    for (size_t j = 0; j < ascending.size(); ++j) {
      const int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Cmp(ascending[i], ascending[j]), want) << ascending[i] << " vs " << ascending[j];
    }
  }
}

TEST(SemVerTest, BuildMetadataIsIgnoredInPrecedence) {
  EXPECT_EQ(Cmp("1.0.0+a", "1.0.0+b"), 0);
  EXPECT_EQ(Cmp("1.0.0+a", "1.0.0"), 0);
  EXPECT_EQ(Cmp("1.0.0-rc.1+x", "1.0.0-rc.1"), 0);
  EXPECT_EQ(Cmp("v1.0.0", "=1.0.0"), 0);
  EXPECT_TRUE(*SemVer::Parse("1.0.0+a") == *SemVer::Parse("1.0.0"));
  EXPECT_TRUE(*SemVer::Parse("1.0.0-rc.1") < *SemVer::Parse("1.0.0"));
}

TEST(SemVerTest, LargeNumericIdentifiersCompareAsNumbers) {
  EXPECT_EQ(Cmp("1.0.0-20251124101628", "1.0.0-9"), 1);
  EXPECT_EQ(Cmp("1.0.0-9007199254740991", "1.0.0-alpha"), -1);
  EXPECT_EQ(Cmp("9007199254740991.0.0", "9007199254740990.9.9"), 1);
}

}  // namespace
}  // namespace deminer
