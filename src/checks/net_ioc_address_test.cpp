#include <netinet/tcp.h>

#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kNetIocAddress;
namespace {

TEST(NetIocAddressCheckTest, FlagsSeedC2AndC2Port) {
  Facts facts = BaseFacts();
  Socket c2;
  c2.local_addr = "10.0.0.5";
  c2.local_port = 50000;
  c2.remote_addr = "72.62.186.16";
  c2.remote_port = 4449;
  c2.state = TCP_ESTABLISHED;
  c2.inode = 1;
  Socket port_only = c2;
  port_only.remote_addr = "198.51.100.1";
  port_only.inode = 2;
  Socket clean = c2;
  clean.remote_addr = "198.51.100.2";
  clean.remote_port = 443;
  clean.inode = 3;
  facts.sockets = {c2, port_only, clean};
  const auto out = RunCheck(kNetIocAddress, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_NE(out[0].evidence["ioc"].get<std::string>().find("seed 001"), std::string::npos);
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_TRUE(out[0].evidence["process"].is_null());
}

TEST(NetIocAddressCheckTest, MatchesResolvedC2Domain) {
  Facts facts = BaseFacts();
  Socket s;
  s.local_addr = "10.0.0.5";
  s.local_port = 50000;
  s.remote_addr = "198.51.100.77";
  s.remote_port = 443;
  s.state = TCP_ESTABLISHED;
  s.inode = 1;
  facts.sockets = {s};
  facts.c2_addresses["198.51.100.77"] = "accrochezvous.fr";  // as --resolve would find it
  const auto out = RunCheck(kNetIocAddress, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].evidence["resolved_from"], "accrochezvous.fr");
}

}  // namespace
}  // namespace deminer
