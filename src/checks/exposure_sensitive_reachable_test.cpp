#include <gtest/gtest.h>

#include "checks/exposure_test_facts.h"

namespace deminer {
extern const Check kExposureSensitiveReachable;
namespace {

TEST(ExposureSensitiveReachableCheckTest, Seed004PostgresOpenToAll) {
  Facts f = WithNft(FwRuleset{});  // read, and empty: the seed's host
  f.processes.push_back(MakeProcess(800, 1, {"postgres"}, "/usr/lib/postgresql/15/bin/postgres"));
  f.processes.push_back(MakeProcess(810, 1, {"dockerd", "-H", "tcp://0.0.0.0:2375"}));
  f.sockets = {Listener("0.0.0.0", 5432, 1, {800}), Listener("127.0.0.1", 6379, 2),
               Listener("0.0.0.0", 2375, 3, {810}), Listener("0.0.0.0", 8080, 4, {700})};
  const auto out = RunCheck(kExposureSensitiveReachable, f);
  ASSERT_EQ(out.size(), 2u);
  const Finding* pg = out[0].evidence["port"] == 5432 ? &out[0] : &out[1];
  const Finding* api = pg == &out[0] ? &out[1] : &out[0];
  EXPECT_EQ(pg->subject, "tcp 0.0.0.0:5432 (postgres)");
  EXPECT_EQ(pg->severity, Severity::kHigh);
  EXPECT_EQ(pg->evidence["service"], "postgresql");
  EXPECT_EQ(pg->evidence["verdict"], "reachable-sensitive");
  EXPECT_EQ(pg->evidence["fix"],
            "nft insert rule inet filter input iifname != \"lo\" tcp dport 5432 drop");
  EXPECT_EQ(pg->evidence["fix_file"], "nftables");
  EXPECT_EQ(api->severity, Severity::kCritical);
  EXPECT_EQ(api->evidence["service"], "docker-api");
}

TEST(ExposureSensitiveReachableCheckTest, FilteredOrSourceRestricted) {
  Facts f = WithNft(
      InputChain("inet", "drop",
                 {{DportMatch("tcp", 5432), SaddrMatch("ip", "10.0.0.0", 8), Verdict("accept")}}));
  f.sockets = {Listener("0.0.0.0", 5432, 1), Listener("0.0.0.0", 6379, 2)};
  const auto out = RunCheck(kExposureSensitiveReachable, f);
  ASSERT_EQ(out.size(), 1u);  // 6379 is dropped by policy
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].evidence["only_from"].size(), 1u);
}

TEST(ExposureSensitiveReachableCheckTest, UfwHostGetsAUfwFix) {
  Facts f = WithNft(FwRuleset{});
  f.firewall.ufw.installed = f.firewall.ufw.enabled = true;
  f.sockets = {Listener("0.0.0.0", 6379, 1)};
  const auto out = RunCheck(kExposureSensitiveReachable, f);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["fix"], "ufw deny 6379/tcp");
  EXPECT_EQ(out[0].evidence["fix_file"], "ufw");
}

}  // namespace
}  // namespace deminer
