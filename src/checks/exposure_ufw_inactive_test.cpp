#include <gtest/gtest.h>

#include "checks/exposure_test_facts.h"

namespace deminer {
extern const Check kExposureUfwInactive;
namespace {

TEST(ExposureUfwInactiveCheckTest, Seed004InstalledRulesWrittenNeverEnabled) {
  Facts f = BaseFacts();  // offline: nothing live read
  f.firewall.ufw = {true, true, false, 3};
  const auto out = RunCheck(kExposureUfwInactive, f);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].subject, "ufw installed but not enabled");
  EXPECT_EQ(out[0].path, "/etc/ufw/ufw.conf");
  EXPECT_EQ(out[0].evidence["state"], "ENABLED=no in /etc/ufw/ufw.conf");
  EXPECT_EQ(out[0].evidence["user_rules"], 3);
  EXPECT_EQ(out[0].evidence["fix"], "ufw allow 22/tcp && ufw enable");
  EXPECT_EQ(out[0].evidence["fix_file"], "ufw");
}

TEST(ExposureUfwInactiveCheckTest, EnabledButNotLoaded) {
  Facts f = WithNft(FwRuleset{});
  f.firewall.ufw = {true, true, true, 3};
  const auto out = RunCheck(kExposureUfwInactive, f);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].subject, "ufw enabled in ufw.conf, but its rules are not loaded");
}

TEST(ExposureUfwInactiveCheckTest, QuietWhenEnabledAndLoadedOrNotInstalled) {
  FwRuleset rs = InputChain("ip", "drop", {});
  rs.tables[0].chains.push_back({"ufw-user-input", false, "", "", 0, "", {}});
  Facts f = WithNft(rs);
  f.firewall.ufw = {true, true, true, 3};
  EXPECT_TRUE(RunCheck(kExposureUfwInactive, f).empty());
  Facts none = BaseFacts();
  EXPECT_TRUE(RunCheck(kExposureUfwInactive, none).empty());
}

}  // namespace
}  // namespace deminer
