#include "watch/policy.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

Finding F(std::string check, Severity s) {
  Finding f;
  f.check = std::move(check);
  f.severity = s;
  return f;
}

TEST(PolicyTest, TheFirstMatchingPolicyWins) {
  std::vector<Policy> p(3);
  p[0].check = "proc.miner";
  p[0].at = Severity::kHigh;
  p[0].process = Response::kKill;
  p[1].check = "net.*";
  p[1].at = Severity::kMedium;
  p[1].block = true;
  p[2].at = Severity::kCritical;
  p[2].process = Response::kSuspend;
  EXPECT_EQ(PolicyFor(p, F("proc.miner", Severity::kHigh)), &p[0]);
  EXPECT_EQ(PolicyFor(p, F("proc.miner", Severity::kMedium)), nullptr);
  EXPECT_EQ(PolicyFor(p, F("net.pool-connection", Severity::kMedium)), &p[1]);
  EXPECT_EQ(PolicyFor(p, F("file.yara", Severity::kCritical)), &p[2]);
  EXPECT_EQ(PolicyFor(p, F("file.yara", Severity::kHigh)), nullptr);
  EXPECT_EQ(PolicyFor({}, F("proc.miner", Severity::kCritical)), nullptr);
}

TEST(PolicyTest, CheckPatterns) {
  EXPECT_TRUE(CheckMatches("", "proc.miner"));
  EXPECT_TRUE(CheckMatches("*", "proc.miner"));
  EXPECT_TRUE(CheckMatches("proc.*", "proc.miner"));
  EXPECT_FALSE(CheckMatches("proc.*", "persist.cron"));
  EXPECT_FALSE(CheckMatches("proc.mine", "proc.miner"));
}

TEST(PolicyTest, ActsOnlyWhenAskedTo) {
  Policy p;
  EXPECT_FALSE(p.Acts());
  p.quarantine = true;
  EXPECT_TRUE(p.Acts());
}

}  // namespace
}  // namespace deminer
