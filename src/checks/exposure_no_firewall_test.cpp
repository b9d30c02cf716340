#include <gtest/gtest.h>

#include "checks/exposure_test_facts.h"

namespace deminer {
extern const Check kExposureNoFirewall;
namespace {

TEST(ExposureNoFirewallCheckTest, NothingFiltersAndSomethingListens) {
  // Debian's default nftables.conf loaded: chains, no rules, policy accept.
  Facts f = WithNft(InputChain("inet", "accept", {}));
  f.sockets = {Listener("0.0.0.0", 8080, 1, {700}), Listener("127.0.0.1", 5432, 2)};
  const auto out = RunCheck(kExposureNoFirewall, f);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].subject, "host: no packet filter on input");
  ASSERT_EQ(out[0].evidence["listening_beyond_loopback"].size(), 1u);
  EXPECT_EQ(out[0].evidence["listening_beyond_loopback"][0], "tcp 0.0.0.0:8080 (node)");
  EXPECT_EQ(out[0].evidence["fix_file"], "nftables");
}

TEST(ExposureNoFirewallCheckTest, QuietWhenFilteringOrOnlyLoopbackOrUnread) {
  Facts drop = WithNft(InputChain("inet", "drop", {}));
  drop.sockets = {Listener("0.0.0.0", 8080, 1)};
  EXPECT_TRUE(RunCheck(kExposureNoFirewall, drop).empty());
  Facts local = WithNft(FwRuleset{});
  local.sockets = {Listener("127.0.0.1", 8080, 1)};
  EXPECT_TRUE(RunCheck(kExposureNoFirewall, local).empty());
  Facts unread = BaseFacts();
  unread.sockets = {Listener("0.0.0.0", 8080, 1)};
  EXPECT_TRUE(RunCheck(kExposureNoFirewall, unread).empty());
}

}  // namespace
}  // namespace deminer
