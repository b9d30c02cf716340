#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "checks/exposure_test_facts.h"

namespace deminer {
extern const Check kExposureDockerBypass;
namespace {

Facts DockerHost() {
  std::ifstream in(std::string(DEMINER_SOURCE_DIR) +
                   "/tests/testdata/firewall/iptables_legacy_docker.save");
  std::stringstream ss;
  ss << in.rdbuf();
  Facts f = BaseFacts();
  auto rs = ParseIptablesSave(ss.str(), 4);
  EXPECT_TRUE(rs.has_value());
  f.firewall.read = f.firewall.legacy_read = true;
  if (rs) f.firewall.legacy = *rs;
  f.firewall.published = FindPublishedPorts(f.firewall.legacy);
  return f;
}

TEST(ExposureDockerBypassCheckTest, InputDropsButDockerPublishes) {
  Facts f = DockerHost();  // INPUT policy drop; 5432 published on all addresses
  const auto out = RunCheck(kExposureDockerBypass, f);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].subject, "tcp 0.0.0.0:5432 (docker -> 172.17.0.2:5432)");
  EXPECT_EQ(out[0].evidence["fix_file"], "DOCKER-USER");
  EXPECT_EQ(out[0].evidence["fix"],
            "iptables -I DOCKER-USER -p tcp -m conntrack --ctstate DNAT --ctorigdstport 5432 "
            "--ctdir ORIGINAL -j DROP");
  EXPECT_EQ(out[0].evidence["input_filters_port"], true);
  EXPECT_EQ(out[0].evidence["docker_user_rules"], false);
}

TEST(ExposureDockerBypassCheckTest, DockerUserDropClosesIt) {
  Facts f = DockerHost();
  auto extra = ParseIptablesSave(
      "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:DOCKER-USER - [0:0]\n"
      "-A FORWARD -j DOCKER-USER\n-A DOCKER-USER -p tcp -m tcp --dport 5432 -j DROP\nCOMMIT\n",
      4);
  ASSERT_TRUE(extra.has_value());
  // Prepend the rule in the real DOCKER-USER chain.
  for (FwTable& t : f.firewall.legacy.tables) {
    for (FwChain& c : t.chains) {
      if (c.name == "DOCKER-USER")
        c.rules.insert(c.rules.begin(), extra->tables[0].chains[2].rules[0]);
    }
  }
  EXPECT_TRUE(RunCheck(kExposureDockerBypass, f).empty());
}

}  // namespace
}  // namespace deminer
