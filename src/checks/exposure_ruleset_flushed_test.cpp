#include <gtest/gtest.h>

#include "checks/exposure_test_facts.h"

namespace deminer {
extern const Check kExposureRulesetFlushed;
namespace {

TEST(ExposureRulesetFlushedCheckTest, SavedRulesNoneLive) {
  Facts f = WithNft(FwRuleset{});
  f.firewall.saved = {{"/etc/nftables.conf", "nftables", 12, {"inet filter"}},
                      {"/etc/iptables/rules.v6", "iptables", 0, {"ip6 filter"}}};
  const auto out = RunCheck(kExposureRulesetFlushed, f);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].subject, "/etc/nftables.conf: 12 rule(s) saved, none in force");
  EXPECT_EQ(out[0].path, "/etc/nftables.conf");
  EXPECT_TRUE(out[0].evidence["fix"].get<std::string>().starts_with(
      "nft -c -f /etc/nftables.conf && nft -f /etc/nftables.conf  # a `flush ruleset`"));
  EXPECT_EQ(out[0].evidence["fix_file"], "nftables");
}

TEST(ExposureRulesetFlushedCheckTest, QuietWhenLoadedOrOffline) {
  Facts f = WithNft(InputChain("inet", "drop", {{DportMatch("tcp", 22), Verdict("accept")}}));
  f.firewall.saved = {{"/etc/nftables.conf", "nftables", 12, {"inet filter"}}};
  EXPECT_TRUE(RunCheck(kExposureRulesetFlushed, f).empty());
  Facts offline = BaseFacts();
  offline.firewall.saved = f.firewall.saved;
  EXPECT_TRUE(RunCheck(kExposureRulesetFlushed, offline).empty());
}

TEST(ExposureRulesetFlushedCheckTest, DockerRulesAloneDoNotCountAsLoaded) {
  FwRuleset rs;
  rs.tables.push_back({"ip", "filter", "iptables-nft", {}});
  FwChain fwd{"FORWARD", true, "filter", "forward", 0, "drop", {FwRule{}}};
  FwChain docker{"DOCKER", false, "", "", 0, "", {FwRule{}}};
  rs.tables[0].chains = {fwd, docker};
  Facts f = WithNft(rs);
  f.firewall.saved = {{"/etc/iptables/rules.v4", "iptables", 5, {"ip filter"}}};
  ASSERT_EQ(RunCheck(kExposureRulesetFlushed, f).size(), 1u);
}

}  // namespace
}  // namespace deminer
