#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kPersistSystemd;
namespace {

TEST(PersistSystemdCheckTest, Seed000UnitIsCriticalTwice) {
  Facts facts = BaseFacts();
  facts.persistence.push_back(MakeItem(
      PersistKind::kSystemdUnit, "/etc/systemd/system/javae.service",
      {{6, "ExecStart", "", "/tmp/javae -o pool.supportxmr.com:443 -u 4AbC --donate-level 1"}}));
  facts.persistence.push_back(MakeItem(PersistKind::kSystemdUnit, "/lib/systemd/system/ssh.service",
                                       {{9, "ExecStart", "", "/usr/sbin/sshd -D $SSHD_OPTS"}}));
  const auto out = RunCheck(kPersistSystemd, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].line, 6);  // the Exec line
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[1].evidence["miner_name"], "javae");  // the unit's name
}

TEST(PersistSystemdCheckTest, LinksIntoTempAndRecentUnpackagedUnits) {
  Facts facts = BaseFacts();
  facts.now = 1800000000;
  facts.persistence.push_back(MakeItem(PersistKind::kSystemdUnit,
                                       "/etc/systemd/system/multi-user.target.wants/update.service",
                                       {{0, "symlink", "", "/var/tmp/.cache/update.service"}}));
  PersistItem recent =
      MakeItem(PersistKind::kSystemdUnit, "/etc/systemd/system/app.service",
               {{5, "ExecStart", "", "/usr/bin/node /srv/app/server.js"}}, facts.now - 3600);
  recent.packaged = false;
  facts.persistence.push_back(recent);
  PersistItem packaged = recent;
  packaged.path = "/usr/lib/systemd/system/cron.service";
  packaged.packaged = true;
  facts.persistence.push_back(packaged);
  const auto out = RunCheck(kPersistSystemd, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[1].severity, Severity::kLow);
  EXPECT_EQ(out[1].subject, "/etc/systemd/system/app.service");
}

}  // namespace
}  // namespace deminer
