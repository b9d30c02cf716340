#include <gtest/gtest.h>

#include "checks/exposure_test_facts.h"

namespace deminer {
extern const Check kExposureRulesetDisagree;
namespace {

TEST(ExposureRulesetDisagreeCheckTest, LegacyDropsWhatNftablesAccepts) {
  Facts f = WithNft(InputChain("inet", "accept", {{DportMatch("tcp", 22), Verdict("accept")}}));
  auto legacy = ParseIptablesSave(
      "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 5432 -j DROP\nCOMMIT\n", 4);
  ASSERT_TRUE(legacy.has_value());
  f.firewall.legacy_read = true;
  f.firewall.legacy = *legacy;
  f.sockets = {Listener("0.0.0.0", 5432, 1), Listener("0.0.0.0", 22, 2)};
  const auto out = RunCheck(kExposureRulesetDisagree, f);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].subject,
            "tcp 0.0.0.0:5432 (postgresql): nftables accepts, iptables-legacy drops");
  EXPECT_EQ(out[0].evidence["iptables_legacy"],
            "iptables-legacy ip filter INPUT line 3: -p tcp -m tcp --dport 5432 -j DROP");
  // The row itself: filtered, since the packet must pass both.
  EXPECT_EQ(out[0].evidence["verdict"], "filtered");
}

TEST(ExposureRulesetDisagreeCheckTest, QuietWithOneBackEnd) {
  Facts f = WithNft(InputChain("inet", "accept", {{DportMatch("tcp", 5432), Verdict("drop")}}));
  f.sockets = {Listener("0.0.0.0", 5432, 1)};
  EXPECT_TRUE(RunCheck(kExposureRulesetDisagree, f).empty());
}

}  // namespace
}  // namespace deminer
