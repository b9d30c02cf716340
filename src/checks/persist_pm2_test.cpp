#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kPersistPm2;
namespace {

TEST(PersistPm2CheckTest, RootListIsAWeaknessAndTempAppsACompromise) {
  Facts facts = BaseFacts();
  PersistItem dump =
      MakeItem(PersistKind::kPm2, "/root/.pm2/dump.pm2",
               {{0, "web", "", "node /srv/app/server.js"}, {0, "dbus", "", "/tmp/dbus_daemon"}});
  dump.user = "root";
  facts.persistence.push_back(dump);
  facts.persistence.push_back(MakeItem(PersistKind::kSystemdUnit,
                                       "/etc/systemd/system/pm2-root.service",
                                       {{7, "User", "root", "root"}}));
  const auto out = RunCheck(kPersistPm2, facts);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].kind, Kind::kWeakness);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[1].kind, Kind::kCompromise);
  EXPECT_GE(out[1].severity, Severity::kHigh);
  EXPECT_EQ(out[2].subject, "/etc/systemd/system/pm2-root.service");
}

TEST(PersistPm2CheckTest, RootDaemonAmongProcessesIsAWeakness) {
  Facts facts = BaseFacts();
  Process god = MakeProcess(900, 1, {"PM2 v5.3.0: God Daemon (/root/.pm2)"}, "/usr/bin/node");
  facts.processes.push_back(god);
  Process user = god;
  user.pid = 901;
  user.uid = 1000;
  facts.processes.push_back(user);
  const auto out = RunCheck(kPersistPm2, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].title, "pm2 daemon runs as root");
  EXPECT_EQ(out[0].kind, Kind::kWeakness);
  EXPECT_EQ(out[0].evidence["pid"], 900);
}

}  // namespace
}  // namespace deminer
