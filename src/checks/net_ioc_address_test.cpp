#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kNetIocAddress;
namespace {

TEST(NetIocAddressCheckTest, FlagsSeedC2AndC2Port) {
  Facts facts = BaseFacts();
  facts.sockets = {MakeSocket("72.62.186.16", 4449, 1), MakeSocket("198.51.100.1", 4449, 2),
                   MakeSocket("198.51.100.2", 443, 3)};
  const auto out = RunCheck(kNetIocAddress, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_NE(out[0].evidence["ioc"].get<std::string>().find("seed 001"), std::string::npos);
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_TRUE(out[0].evidence["process"].is_null());
}

TEST(NetIocAddressCheckTest, MatchesResolvedC2Domain) {
  Facts facts = BaseFacts();
  facts.sockets = {MakeSocket("198.51.100.77", 443, 1)};
  facts.c2_addresses["198.51.100.77"] = "accrochezvous.fr";  // as --resolve would find it
  const auto out = RunCheck(kNetIocAddress, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].evidence["resolved_from"], "accrochezvous.fr");
}

}  // namespace
}  // namespace deminer
