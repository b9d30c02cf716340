#include <gtest/gtest.h>

#include "checks/exposure_test_facts.h"

namespace deminer {
extern const Check kExposureIpv6Open;
namespace {

TEST(ExposureIpv6OpenCheckTest, Ipv4TableDropsIpv6NobodyFilters) {
  // iptables drops 5432, ip6tables was never written.
  Facts f = WithNft(InputChain("ip", "accept", {{DportMatch("tcp", 5432), Verdict("drop")}}));
  f.sockets = {Listener("0.0.0.0", 5432, 1), Listener("::", 5432, 2), Listener("::", 8080, 3)};
  const auto out = RunCheck(kExposureIpv6Open, f);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].subject, "tcp [::]:5432 (postgresql): filtered over IPv4, open over IPv6");
  EXPECT_EQ(out[0].evidence["fix"],
            "nft insert rule inet filter input iifname != \"lo\" meta nfproto ipv6 tcp dport 5432 drop");
  EXPECT_NE(out[0].evidence["ipv4_reason"].get<std::string>().find("tcp dport 5432 drop"),
            std::string::npos);
}

TEST(ExposureIpv6OpenCheckTest, InetTableCoversBoth) {
  Facts f = WithNft(InputChain("inet", "accept", {{DportMatch("tcp", 5432), Verdict("drop")}}));
  f.sockets = {Listener("0.0.0.0", 5432, 1), Listener("::", 5432, 2)};
  EXPECT_TRUE(RunCheck(kExposureIpv6Open, f).empty());
}

}  // namespace
}  // namespace deminer
